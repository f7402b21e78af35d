from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AnalyticsConfig(AppConfig):
    name = "samphan.analytics"
    label = "analytics"
    verbose_name = pgettext_lazy("app", "Analytics")

    def ready(self) -> None:
        # dashboard, figures and regulars register their snapshot builders
        from samphan.analytics import dashboard, figures, receivers, regulars  # noqa: F401
        from samphan.analytics.forecast_store import KEEP_DAILY_EVERY, keep_daily
        from samphan.analytics.purchases import ActivityPurchaseTotals, order_facts
        from samphan.analytics.snapshots import KEEP_FRESH_EVERY, keep_fresh
        from samphan.core.background import loop_register
        from samphan.customers.facts import order_facts_register
        from samphan.customers.panels import customer_panel_register
        from samphan.sales.purchases import purchase_totals_register

        receivers.connect()
        customer_panel_register("customer_cadence")
        purchase_totals_register(ActivityPurchaseTotals())
        order_facts_register(order_facts)
        loop_register("snapshots", KEEP_FRESH_EVERY, keep_fresh)
        loop_register("forecasts", KEEP_DAILY_EVERY, keep_daily)
