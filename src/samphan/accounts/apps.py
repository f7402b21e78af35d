from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "samphan.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from samphan.accounts.roles import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="samphan.roles_sync")
