from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PrivacyConfig(AppConfig):
    name = "samphan.privacy"
    label = "privacy"
    verbose_name = pgettext_lazy("app", "Privacy")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.customers.panels import customer_panel_register
        from samphan.privacy import receivers
        from samphan.privacy.retention import RETENTION_EVERY, retention_daily
        from samphan.privacy.services import REMIND_EVERY, requests_remind

        customer_panel_register("customer_privacy")
        # Hourly; each request is reminded of once a day (``reminded_on``).
        loop_register("privacy-reminders", REMIND_EVERY, requests_remind)
        # Hourly; applies the retention periods once a day, when an admin turned it on.
        loop_register("privacy-retention", RETENTION_EVERY, retention_daily)
        receivers.connect()
