from django.urls import path

from samphan.privacy import access_views

urlpatterns = [
    path("customers/<int:pk>/access/", access_views.customer_access, name="customer_access"),
]
