from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ExportsConfig(AppConfig):
    """Reads every app, so it sits above them all (tests/test_layers.py), below the API
    that assembles its router."""

    name = "samphan.exports"
    label = "exports"
    verbose_name = pgettext_lazy("app", "Exports")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.exports.build import CLEANUP_EVERY, data_exports_expire

        # Hourly: files older than KEEP_DAYS are deleted (docs/import.md).
        loop_register("export-cleanup", CLEANUP_EVERY, data_exports_expire)
