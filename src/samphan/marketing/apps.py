from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MarketingConfig(AppConfig):
    name = "samphan.marketing"
    label = "marketing"
    verbose_name = pgettext_lazy("app", "Marketing")

    def ready(self) -> None:
        from samphan.analytics.report_filters import ReportFilter, report_filter_register
        from samphan.core.background import loop_register
        from samphan.customers.panels import customer_panel_register
        from samphan.marketing.campaigns import campaigns_run
        from samphan.marketing.queries import segment_customers, segments_offered

        customer_panel_register("customer_lists")
        loop_register("campaigns", 2.0, campaigns_run)
        # Sales reports narrowed to a saved segment (analytics imports no marketing).
        report_filter_register(ReportFilter(choices=segments_offered, customers=segment_customers))
