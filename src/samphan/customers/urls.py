from django.urls import path

from samphan.customers import duplicate_views, import_views, merge_views, views

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("export/", views.customer_export, name="customer_export"),
    path("options/", views.customer_options, name="customer_options"),
    path("similar/", duplicate_views.customer_similar, name="customer_similar"),
    path("duplicates/", duplicate_views.duplicate_queue, name="duplicate_queue"),
    path("duplicates/run/", duplicate_views.duplicates_run, name="duplicates_run"),
    path(
        "duplicates/<int:pk>/not-duplicate/",
        duplicate_views.duplicate_not,
        name="duplicate_not",
    ),
    path("import/", import_views.customer_import, name="customer_import"),
    path("import/jobs/<int:pk>/", import_views.customer_import_job, name="customer_import_job"),
    path(
        "import/jobs/<int:pk>/cancel/",
        import_views.customer_import_cancel,
        name="customer_import_cancel",
    ),
    path(
        "import/<str:token>/",
        import_views.customer_import_mapping,
        name="customer_import_mapping",
    ),
    path(
        "import/<str:token>/start/",
        import_views.customer_import_start,
        name="customer_import_start",
    ),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/archive/", views.customer_archive, name="customer_archive"),
    path("<int:pk>/merge/", merge_views.customer_merge, name="customer_merge"),
    path("merges/<int:merge_pk>/undo/", merge_views.merge_undo, name="merge_undo"),
    path(
        "<int:pk>/duplicate-reviewed/",
        views.customer_duplicate_reviewed,
        name="customer_duplicate_reviewed",
    ),
    path("<int:pk>/contacts/new/", views.contact_point_form, name="contact_point_add"),
    path("<int:pk>/contacts/<int:point_pk>/", views.contact_point_form, name="contact_point_edit"),
    path(
        "<int:pk>/contacts/<int:point_pk>/delete/",
        views.contact_point_delete,
        name="contact_point_delete",
    ),
    path("<int:pk>/consent/", views.consent_change, name="consent_change"),
    path("<int:pk>/interactions/", views.interaction_create, name="interaction_create"),
]
