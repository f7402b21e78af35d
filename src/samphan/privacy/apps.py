from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PrivacyConfig(AppConfig):
    name = "samphan.privacy"
    label = "privacy"
    verbose_name = pgettext_lazy("app", "Privacy")

    def ready(self) -> None:
        from samphan.privacy import receivers

        receivers.connect()
