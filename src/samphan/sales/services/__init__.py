"""Every write to products, orders and deals, one module each.

Services validate first and write in one transaction, so bad input leaves the data as it
was; errors name the field (``lines.2.quantity``) for the form or the API. The names are
re-exported here so callers write ``services.order_record``.
"""

from samphan.sales.affinities import Rebuild, affinities_rebuild
from samphan.sales.services.bulk import BulkResult, orders_bulk_record
from samphan.sales.services.deals import (
    StaleStageError,
    deal_create,
    deal_move,
    deal_update,
    default_pipeline,
    stage_durations,
    weighted,
)
from samphan.sales.services.leads import (
    Conversion,
    LeadInput,
    lead_assign,
    lead_assign_round_robin,
    lead_capture,
    lead_capture_public,
    lead_convert,
    lead_disqualify,
    lead_fields_from,
    public_form_allowed,
)
from samphan.sales.services.order_lines import (
    LineAmounts,
    LineInput,
    PricedLine,
    build_lines,
    line_amounts,
)
from samphan.sales.services.orders import (
    OrderInput,
    order_record,
    order_refund,
    order_set_status,
    refundable_by_product,
)
from samphan.sales.services.products import (
    ImportReport,
    product_create,
    product_import_csv,
    product_update,
)
from samphan.sales.services.quotes import (
    DEFAULT_VALID_DAYS,
    quote_accept,
    quote_create,
    quote_mark_sent,
    quote_reject,
    quote_send,
    quote_update,
    quotes_expire,
)
from samphan.sales.services.suggestions import affinities_refresh_if_due

__all__ = [
    "DEFAULT_VALID_DAYS",
    "BulkResult",
    "Conversion",
    "ImportReport",
    "LeadInput",
    "LineAmounts",
    "LineInput",
    "OrderInput",
    "PricedLine",
    "Rebuild",
    "StaleStageError",
    "affinities_rebuild",
    "affinities_refresh_if_due",
    "build_lines",
    "deal_create",
    "deal_move",
    "deal_update",
    "default_pipeline",
    "lead_assign",
    "lead_assign_round_robin",
    "lead_capture",
    "lead_capture_public",
    "lead_convert",
    "lead_disqualify",
    "lead_fields_from",
    "line_amounts",
    "order_record",
    "order_refund",
    "order_set_status",
    "orders_bulk_record",
    "product_create",
    "product_import_csv",
    "product_update",
    "public_form_allowed",
    "quote_accept",
    "quote_create",
    "quote_mark_sent",
    "quote_reject",
    "quote_send",
    "quote_update",
    "quotes_expire",
    "refundable_by_product",
    "stage_durations",
    "weighted",
]
