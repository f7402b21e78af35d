"""The pages of data-subject requests and the breach register, under /privacy/."""

from django.urls import path

from samphan.privacy import views

urlpatterns = [
    path("requests/", views.subject_request_list, name="subject_request_list"),
    path("requests/new/", views.subject_request_create, name="subject_request_create"),
    path("requests/<int:pk>/", views.subject_request_detail, name="subject_request_detail"),
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/new/", views.breach_create, name="breach_create"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach_detail"),
    path("customers/<int:pk>/", views.customer_privacy, name="customer_privacy"),
    path("customers/<int:pk>/restrict/", views.customer_restrict, name="customer_restrict"),
    path(
        "customers/<int:pk>/lift/",
        views.customer_restriction_lift,
        name="customer_restriction_lift",
    ),
]
