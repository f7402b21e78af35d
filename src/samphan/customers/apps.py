from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CustomersConfig(AppConfig):
    name = "samphan.customers"
    label = "customers"
    verbose_name = pgettext_lazy("app", "Customers")

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.customers.dedupe.finder import FIND_EVERY, duplicates_nightly

        # Hourly; the full duplicate run once a night (``NIGHT_HOUR``).
        loop_register("duplicates", FIND_EVERY, duplicates_nightly)
