from django.apps import AppConfig


class HomeConfig(AppConfig):
    """An app only so that its templates and the ``setup`` command are found; no models."""

    name = "samphan.home"
    label = "home"
