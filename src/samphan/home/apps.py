from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class HomeConfig(AppConfig):
    """An app for its templates, the ``setup``, ``backup`` and ``restore`` commands and the
    worker's daily backup; it has no models."""

    name = "samphan.home"
    label = "home"
    verbose_name = pgettext_lazy("app", "Home")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.core.shop import backup_status_source
        from samphan.home.backup_schedule import CHECK_EVERY, backup_scheduled
        from samphan.home.backups import status_read

        loop_register("backup", CHECK_EVERY, backup_scheduled)
        backup_status_source[:] = [status_read]
