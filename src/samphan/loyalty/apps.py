from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "samphan.loyalty"
    label = "loyalty"
    verbose_name = "Loyalty"

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register

        customer_panel_register("customer_points")
