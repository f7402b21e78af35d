"""The sales app's models, one module per part of the trade: the catalogue (and similar
products), orders, pipelines and deals, leads, quotations. Django finds every model here;
callers import from ``samphan.sales.models``. Money is Decimal baht (``money``).
"""

from samphan.sales.models.catalogue import Category, Product, ProductAffinity, SuggestionState
from samphan.sales.models.deals import (
    BilingualName,
    Deal,
    DealLine,
    DealQuerySet,
    DealStageChange,
    Pipeline,
    Stage,
)
from samphan.sales.models.leads import Lead, RoundRobin
from samphan.sales.models.money import ZERO, money_field
from samphan.sales.models.orders import Order, OrderLine, OrderQuerySet
from samphan.sales.models.quotes import Quote, QuoteDocument, QuoteLine, QuoteQuerySet

__all__ = [
    "ZERO",
    "BilingualName",
    "Category",
    "Deal",
    "DealLine",
    "DealQuerySet",
    "DealStageChange",
    "Lead",
    "Order",
    "OrderLine",
    "OrderQuerySet",
    "Pipeline",
    "Product",
    "ProductAffinity",
    "Quote",
    "QuoteDocument",
    "QuoteLine",
    "QuoteQuerySet",
    "RoundRobin",
    "Stage",
    "SuggestionState",
    "money_field",
]
