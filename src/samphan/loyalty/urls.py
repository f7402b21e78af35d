from django.urls import path

from samphan.loyalty import views

urlpatterns = [
    path("customers/<int:pk>/", views.customer_points, name="customer_points"),
    path("settings/", views.loyalty_settings, name="loyalty_settings"),
    path("settings/rules/new/", views.rule_edit, name="loyalty_rule_create"),
    path("settings/rules/<int:pk>/", views.rule_edit, name="loyalty_rule_edit"),
]
