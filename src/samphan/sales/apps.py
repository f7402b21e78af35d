from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from samphan.customers.signals import history_changed


class SalesConfig(AppConfig):
    name = "samphan.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from samphan.customers.panels import customer_panel_register
        from samphan.customers.timeline import timeline_source_register
        from samphan.sales.pipelines import pipeline_ensure_default
        from samphan.sales.timeline import Orders

        customer_panel_register("customer_purchases")
        customer_panel_register("customer_suggestions")
        timeline_source_register(Orders())
        post_migrate.connect(pipeline_ensure_default, sender=self, dispatch_uid="samphan.pipeline")
        history_changed.connect(_refresh_rollups, dispatch_uid="sales.history")


def _refresh_rollups(sender: Any, *, customer_ids: list[int], **kwargs: Any) -> None:
    """Orders moved by a customer merge: both customers' purchase roll-ups follow."""
    from samphan.sales.services import rollup_refresh

    rollup_refresh(customer_ids)
