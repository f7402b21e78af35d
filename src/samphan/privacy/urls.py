from django.urls import path

from samphan.privacy import views_subject

urlpatterns = [
    path(
        "customers/<int:pk>/personal-data/",
        views_subject.customer_personal_data,
        name="customer_personal_data",
    ),
    path(
        "customers/<int:pk>/erase/",
        views_subject.customer_erase_confirm,
        name="customer_erase",
    ),
]
