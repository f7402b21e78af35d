from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "samphan.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register

        customer_panel_register("customer_lists")
