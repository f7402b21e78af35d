from django.urls import path

from samphan.marketing import campaign_views, views

urlpatterns = [
    path("", views.segment_list, name="segment_list"),
    path("new/", views.segment_edit, name="segment_new"),
    path("preview/", views.segment_preview, name="segment_preview"),
    path("<int:pk>/", views.segment_detail, name="segment_detail"),
    path("<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("<int:pk>/export/", views.segment_export, name="segment_export"),
    path("<int:pk>/members/", views.members_change, name="segment_members_change"),
    path("<int:pk>/members/import/", views.members_import, name="segment_members_import"),
    path("customers/<int:pk>/lists/", views.customer_lists, name="customer_lists"),
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_edit, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/preview/", campaign_views.campaign_preview, name="campaign_preview"),
    path(
        "campaigns/<int:pk>/schedule/", campaign_views.campaign_schedule, name="campaign_schedule"
    ),
    path("campaigns/<int:pk>/cancel/", campaign_views.campaign_cancel, name="campaign_cancel"),
    path("campaigns/<int:pk>/test/", campaign_views.campaign_test, name="campaign_test"),
]
