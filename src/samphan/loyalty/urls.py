from django.urls import path

from samphan.loyalty import dashboard_views, referral_views, reward_views, views

urlpatterns = [
    path("customers/<int:pk>/", views.customer_points, name="customer_points"),
    path("settings/", views.loyalty_settings, name="loyalty_settings"),
    path("settings/rules/new/", views.rule_edit, name="loyalty_rule_create"),
    path("settings/rules/<int:pk>/", views.rule_edit, name="loyalty_rule_edit"),
    path("rewards/", reward_views.reward_list, name="loyalty_rewards"),
    path("rewards/new/", reward_views.reward_edit, name="loyalty_reward_create"),
    path("rewards/<int:pk>/", reward_views.reward_edit, name="loyalty_reward_edit"),
    path(
        "customers/<int:pk>/rewards/<int:reward_pk>/",
        reward_views.reward_redeem,
        name="loyalty_reward_redeem",
    ),
    path("desk/<int:pk>/", reward_views.desk_rewards, name="loyalty_desk_rewards"),
    path("vouchers/use/", reward_views.voucher_use, name="loyalty_voucher_use"),
    path("vouchers/<str:code>/", reward_views.voucher_detail, name="loyalty_voucher"),
    path("vouchers/<str:code>/cancel/", reward_views.voucher_cancel, name="loyalty_voucher_cancel"),
    path("referrals/", referral_views.referral_list, name="loyalty_referrals"),
    path(
        "referrals/<int:pk>/decide/",
        referral_views.referral_decision,
        name="loyalty_referral_decide",
    ),
    path(
        "customers/<int:pk>/referral/",
        referral_views.referral_enter,
        name="loyalty_referral_enter",
    ),
    path(
        "customers/<int:pk>/member-page/",
        referral_views.member_page_send,
        name="loyalty_member_page_send",
    ),
    path("dashboard/", dashboard_views.loyalty_dashboard, name="loyalty_dashboard"),
    path("dashboard.csv", dashboard_views.loyalty_dashboard_csv, name="loyalty_dashboard_csv"),
    path("dashboard.xlsx", dashboard_views.loyalty_dashboard_xlsx, name="loyalty_dashboard_xlsx"),
]
