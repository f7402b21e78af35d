from django.urls import path

from samphan.messaging import views

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("new/<int:customer_id>/", views.message_new, name="message_new"),
    path("customers/<int:pk>/reach/", views.customer_reach, name="customer_reach"),
    path("sms-length/", views.sms_length_view, name="sms_length"),
]
