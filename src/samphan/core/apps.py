from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class CoreConfig(AppConfig):
    name = "samphan.core"
    label = "core"
    verbose_name = pgettext_lazy("app", "Samphan core")

    def ready(self) -> None:
        # After every migrate: SQLite table rebuilds drop the search triggers (core.search).
        from samphan.core.search import search_triggers_restore

        post_migrate.connect(
            search_triggers_restore, sender=self, dispatch_uid="core.search_triggers"
        )
