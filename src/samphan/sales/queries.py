"""Reads of products and orders, shaped for pages and the API (no query from templates)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from samphan.sales.models import CustomerSales, Order, Product

PRODUCT_SORTS = {
    "name": ("name", "id"),
    "sku": ("sku", "id"),
    "price": ("list_price", "id"),
    "-price": ("-list_price", "id"),
    "newest": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: int | None = None
    active: bool | None = True
    sort: str = "name"


def product_list(filters: ProductFilters) -> QuerySet[Product]:
    products = Product.objects.select_related("category")
    if filters.q.strip():
        term = filters.q.strip()
        products = products.filter(
            Q(sku__icontains=term) | Q(name__icontains=term) | Q(name_en__icontains=term)
        )
    if filters.category:
        products = products.filter(category_id=filters.category)
    if filters.active is not None:
        products = products.filter(is_active=filters.active)
    return products.order_by(*PRODUCT_SORTS.get(filters.sort, PRODUCT_SORTS["name"]))


@dataclass(frozen=True)
class OrderFilters:
    customer: int | None = None
    channel: str = ""
    status: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""  # an order number or external id


def order_list(user: Any, filters: OrderFilters) -> QuerySet[Order]:
    orders = Order.objects.visible_to(user).select_related("customer", "sold_by")
    exact = {
        "customer_id": filters.customer,
        "channel": filters.channel,
        "status": filters.status,
        "ordered_at__date__gte": filters.since,
        "ordered_at__date__lte": filters.until,
    }
    orders = orders.filter(**{name: value for name, value in exact.items() if value})
    if filters.q.strip():
        term = filters.q.strip()
        orders = orders.filter(Q(number__iexact=term) | Q(external_id=term))
    return orders.order_by("-ordered_at", "-id")


def order_for_page(user: Any, pk: int) -> Order:
    """One visible order with its lines and products; raises Order.DoesNotExist."""
    return (
        Order.objects.visible_to(user)
        .select_related("customer", "sold_by")
        .prefetch_related("lines__product")
        .get(pk=pk)
    )


def customer_sales(customer_id: int) -> CustomerSales:
    """The customer's roll-up, or zeros when they have bought nothing yet."""
    found = CustomerSales.objects.filter(pk=customer_id).first()
    return found or CustomerSales(customer_id=customer_id)
