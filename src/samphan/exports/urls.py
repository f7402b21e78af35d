from django.urls import path

from samphan.exports import views

urlpatterns = [
    path("", views.data_export_page, name="data_export_page"),
    path("<int:pk>/", views.data_export_row, name="data_export_row"),
    path("<int:pk>/file/", views.data_export_file, name="data_export_file"),
]
