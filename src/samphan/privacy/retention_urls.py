from django.urls import path

from samphan.privacy import retention_views

urlpatterns = [
    path("retention/", retention_views.retention_settings, name="retention_settings"),
]
