"""/api/v1 products, orders, pipelines and deals, leads: one router, a module each."""

from samphan.sales.api import deals, leads, orders, products, quotes  # noqa: F401 - they add routes
from samphan.sales.api.common import router

__all__ = ["router"]
