from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class HomeConfig(AppConfig):
    """An app for its templates and the ``setup`` command; it has no models."""

    name = "samphan.home"
    label = "home"
    verbose_name = pgettext_lazy("app", "Home")
