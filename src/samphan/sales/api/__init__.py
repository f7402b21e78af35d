"""/api/v1 products, orders, pipelines and deals, leads, quotations, similar products and
reports: one router, a module each."""

from samphan.sales.api import (  # noqa: F401 - they add routes
    deals,
    leads,
    orders,
    productivity,
    products,
    quotes,
    suggestions,
)
from samphan.sales.api.common import router

__all__ = ["router"]
