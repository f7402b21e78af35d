from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "samphan.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from samphan.core.background import loop_register
        from samphan.customers.panels import customer_panel_register
        from samphan.marketing.campaigns import campaigns_run

        customer_panel_register("customer_lists")
        loop_register("campaigns", 2.0, campaigns_run)
