from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class SalesConfig(AppConfig):
    name = "samphan.sales"
    label = "sales"
    verbose_name = pgettext_lazy("app", "Sales")

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register
        from samphan.customers.timeline import timeline_source_register
        from samphan.sales.pipelines import pipeline_ensure_default
        from samphan.sales.timeline import Orders

        customer_panel_register("customer_purchases")
        customer_panel_register("customer_suggestions")
        timeline_source_register(Orders())
        post_migrate.connect(pipeline_ensure_default, sender=self, dispatch_uid="samphan.pipeline")
