from django.contrib.auth import views as auth_views
from django.urls import path

from samphan.accounts import token_views, user_views
from samphan.accounts.forms import PasswordForgotForm, PasswordSetForm

urlpatterns = [
    path("users/", user_views.user_list, name="user_list"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:pk>/", user_views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", user_views.user_active, name="user_active"),
    path("users/<int:pk>/password/", user_views.user_password_reset, name="user_password_reset"),
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
