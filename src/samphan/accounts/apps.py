from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "samphan.accounts"
    label = "accounts"
    verbose_name = pgettext_lazy("app", "Accounts")

    def ready(self) -> None:
        from samphan.accounts.roles import roles_sync
        from samphan.accounts.second_factor import on_login

        post_migrate.connect(roles_sync, dispatch_uid="samphan.roles_sync")
        user_logged_in.connect(on_login, dispatch_uid="samphan.second_factor")
