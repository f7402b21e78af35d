from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SupportConfig(AppConfig):
    name = "samphan.support"
    label = "support"
    verbose_name = pgettext_lazy("app", "Support")

    def ready(self) -> None:
        from samphan.customers.timeline import timeline_source_register
        from samphan.support.timeline import Tickets

        timeline_source_register(Tickets())
