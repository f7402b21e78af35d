from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "samphan.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register

        customer_panel_register("customer_purchases")
