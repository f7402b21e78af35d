from django.urls import path

from samphan.loyalty import reward_views, views

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
]
