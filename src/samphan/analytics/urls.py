from django.urls import path

from samphan.analytics import views

urlpatterns = [
    path("top/", views.top_customers, name="top_customers"),
    path("regulars/", views.regulars, name="regulars"),
    path("segments/", views.segments, name="segments"),
    path("funnel/", views.funnel_report, name="funnel"),
    path("reports/", views.report, name="report"),
    path("forecast/", views.forecast_panel, name="forecast_panel"),
    path("customers/<int:pk>/cadence/", views.customer_cadence, name="customer_cadence"),
]
