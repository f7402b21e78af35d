from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CoreConfig(AppConfig):
    name = "samphan.core"
    label = "core"
    verbose_name = pgettext_lazy("app", "Samphan core")
