from django.contrib.auth import views as auth_views
from django.urls import path

from samphan.accounts import token_views, two_factor_views, user_views
from samphan.accounts.forms import PasswordForgotForm, PasswordSetForm

urlpatterns = [
    path("users/", user_views.user_list, name="user_list"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:pk>/", user_views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", user_views.user_active, name="user_active"),
    path("users/<int:pk>/password/", user_views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/unlock/", user_views.user_unlock, name="user_unlock"),
    path(
        "users/<int:pk>/two-factor/reset/",
        user_views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("login/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("login/two-factor/setup/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("preferences/two-factor/off/", two_factor_views.two_factor_off, name="two_factor_off"),
    path("preferences/tokens/", token_views.token_create, name="token_create"),
    path("preferences/tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    # "Forgot password": the same answer whether or not the address belongs to anyone.
    path(
        "password/forgot/",
        auth_views.PasswordResetView.as_view(form_class=PasswordForgotForm),
        name="password_reset",
    ),
    path(
        "password/forgot/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=PasswordSetForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
