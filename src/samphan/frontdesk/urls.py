from django.urls import path

from samphan.frontdesk import views

urlpatterns = [
    path("", views.desk, name="frontdesk"),
    path("look-up/", views.look_up, name="frontdesk_look_up"),
    path("check-in/<int:pk>/", views.check_in, name="frontdesk_check_in"),
    path("walk-in/", views.walk_in, name="frontdesk_walk_in"),
    path("alerts/", views.alerts, name="frontdesk_alerts"),
    path("alerts/feed/", views.alerts_feed, name="frontdesk_alerts_feed"),
    path("alerts/<int:pk>/greeted/", views.alert_greet, name="frontdesk_alert_greet"),
    path("expected/", views.expected, name="frontdesk_expected"),
    path("cards/<int:pk>.<str:kind>", views.member_card, name="frontdesk_member_card"),
    path("members/<int:pk>/", views.member_make, name="frontdesk_member_make"),
    path("sign-up-poster/", views.sign_up_poster, name="frontdesk_sign_up_poster"),
    path("rules/", views.rules, name="frontdesk_rules"),
    path("rules/new/", views.rule_edit, name="frontdesk_rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="frontdesk_rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="frontdesk_rule_delete"),
]
