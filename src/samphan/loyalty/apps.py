from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class LoyaltyConfig(AppConfig):
    name = "samphan.loyalty"
    label = "loyalty"
    verbose_name = pgettext_lazy("app", "Loyalty")

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register
        from samphan.loyalty import receivers

        receivers.connect()

        customer_panel_register("customer_points")
