from django.urls import path

from samphan.support import settings_views, views

urlpatterns = [
    path("", views.inbox, name="support_inbox"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/viewers/", views.ticket_viewers, name="ticket_viewers"),
    path("bulk/", views.ticket_bulk, name="support_bulk"),
    path("attachments/<int:pk>/", views.ticket_attachment, name="ticket_attachment"),
    path("customers/<int:pk>/", views.customer_support, name="customer_support"),
    path("campaigns/<int:pk>/", views.campaign_nps, name="campaign_nps"),
    path("settings/", settings_views.overview, name="support_settings"),
    path("settings/<slug:section>/new/", settings_views.edit, name="support_setting_create"),
    path("settings/<slug:section>/<int:pk>/", settings_views.edit, name="support_setting_edit"),
    path(
        "settings/<slug:section>/<int:pk>/delete/",
        settings_views.delete,
        name="support_setting_delete",
    ),
]
