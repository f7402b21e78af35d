from django.urls import path

from samphan.loyalty import views

urlpatterns = [
    path("customers/<int:pk>/", views.customer_points, name="customer_points"),
]
