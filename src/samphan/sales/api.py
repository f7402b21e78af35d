"""/api/v1 products and orders: how a shop's POS or e-shop pushes its sales in.

Thin: strict schemas, authorise, call the same services and queries as the pages.
``POST /orders`` with an ``external_id`` already recorded answers 200 with that order
and writes nothing, so a retried request never doubles a sale.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Choice, Id, IsoDate, Text
from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.models import Category, Order, Product

router = Router(tags=["sales"])


def optional_money() -> Any:
    return Field(None, ge=0, max_digits=14, decimal_places=2)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    name_en: str
    category: str | None
    unit: str
    list_price: Decimal
    unit_cost: Decimal
    price_includes_vat: bool
    is_active: bool

    @staticmethod
    def resolve_category(product: Product) -> str | None:
        return product.category.name if product.category else None


class ProductPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    sku: Text(40) | None = None  # type: ignore[valid-type]
    name: Text(200) | None = None  # type: ignore[valid-type]
    name_en: Text(200) | None = None  # type: ignore[valid-type]
    category: Text(80) | None = None  # type: ignore[valid-type]
    unit: Text(20) | None = None  # type: ignore[valid-type]
    list_price: Decimal | None = optional_money()
    unit_cost: Decimal | None = optional_money()
    price_includes_vat: bool | None = None
    is_active: bool | None = None


class ProductIn(ProductPatch):
    sku: Text(40) = Field(min_length=1)  # type: ignore[valid-type]
    name: Text(200) = Field(min_length=1)  # type: ignore[valid-type]


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProductOut]


class ProductParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    category: Id | None = None
    active: bool | None = True
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    product_id: Id | None = None
    sku: Text(40) | None = None  # type: ignore[valid-type]
    quantity: Decimal = Field(gt=0, le=1_000_000, max_digits=12, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)

    def line_input(self, index: int) -> services.LineInput:
        key = self.product_id if self.product_id is not None else self.sku
        if key is None:
            raise ValidationError({f"lines.{index}.product_id": "Give product_id or sku."})
        return services.LineInput(key, self.quantity, self.unit_price, self.discount)


class OrderLineOut(Schema):
    id: int
    product_id: int
    sku: str = Field(validation_alias="product.sku")
    is_refund: bool
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal


class OrderOut(Schema):
    id: int
    number: str
    external_id: str | None
    customer_id: int
    ordered_at: dt.datetime
    channel: str
    status: str
    sold_by_id: int | None
    note: str
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal
    total: Decimal
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(order: Order) -> list[Any]:
        return list(order.lines.all())


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    channel: Choice(Order.Channel.values)  # type: ignore[valid-type]
    ordered_at: dt.datetime | None = None
    external_id: Text(100) | None = None  # type: ignore[valid-type]
    note: Text(500) = ""  # type: ignore[valid-type]
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Choice(Order.Status.values)  # type: ignore[valid-type]


class OrderPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[OrderOut]


class OrderParams(Schema):
    customer: Id | None = None
    channel: Choice(Order.Channel.values, blank=True) = ""  # type: ignore[valid-type]
    status: Choice(Order.Status.values, blank=True) = ""  # type: ignore[valid-type]
    since: IsoDate | None = None
    until: IsoDate | None = None
    q: Text(100) = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _page(queryset: Any, page: int, page_size: int) -> dict[str, Any]:
    paginator = CappedPaginator(queryset, page_size)
    start = (page - 1) * page_size
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }


# -- Products ---------------------------------------------------------------------------------


def _product(pk: int) -> Product:
    product = Product.objects.select_related("category").filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def _product_fields(payload: ProductPatch) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    fields = {name: value for name, value in fields.items() if value is not None}
    if "category" in fields:
        name = fields["category"].strip()
        fields["category"] = Category.objects.get_or_create(name=name)[0] if name else None
    return fields


@router.get("/products", response={200: ProductPage, **ERRORS})
def product_list(request: HttpRequest, params: Query[ProductParams]) -> Any:
    """The catalogue; `q` matches SKU or name; `active=false` lists retired products."""
    require_perm(request.user, "sales.view_product")
    filters = queries.ProductFilters(q=params.q, category=params.category, active=params.active)
    return _page(queries.product_list(filters), params.page, params.page_size)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: Id) -> Any:
    require_perm(request.user, "sales.view_product")
    return _product(product_id)


@router.post("/products", response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    require_perm(request.user, "sales.add_product")
    product = services.product_create(actor=request.user, fields=_product_fields(payload))
    return Status(201, _product(product.pk))


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Any:
    """Change the fields sent; `is_active: false` retires a product (its orders stay)."""
    require_perm(request.user, "sales.change_product")
    product = _product(product_id)
    services.product_update(actor=request.user, product=product, fields=_product_fields(payload))
    return _product(product_id)


# -- Orders -----------------------------------------------------------------------------------


def _order(request: HttpRequest, pk: int, perm: str = "sales.view_order") -> Order:
    require_perm(request.user, perm)
    try:
        return queries.order_for_page(request.user, pk)
    except Order.DoesNotExist as error:
        raise Http404 from error


def _lines(lines: list[LineIn]) -> list[services.LineInput]:
    return [line.line_input(index) for index, line in enumerate(lines)]


@router.get("/orders", response={200: OrderPage, **ERRORS})
def order_list(request: HttpRequest, params: Query[OrderParams]) -> Any:
    """Orders of the customers the caller may see, newest first."""
    require_perm(request.user, "sales.view_order")
    filters = queries.OrderFilters(
        customer=params.customer,
        channel=params.channel,
        status=params.status,
        since=params.since,
        until=params.until,
        q=params.q,
    )
    orders = queries.order_list(request.user, filters).prefetch_related("lines__product")
    return _page(orders, params.page, params.page_size)


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def order_get(request: HttpRequest, order_id: Id) -> Any:
    return _order(request, order_id)


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS})
def order_create(request: HttpRequest, payload: OrderIn) -> Any:
    """Record a paid order (201). The same `external_id` again returns the first order (200)."""
    require_perm(request.user, "sales.add_order")
    customer = Customer.objects.visible_to(request.user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationError({"customer_id": f"No customer with id {payload.customer_id}."})
    order, created = services.order_record(
        actor=request.user,
        customer=customer,
        lines=_lines(payload.lines),
        channel=payload.channel,
        ordered_at=payload.ordered_at,
        external_id=payload.external_id,
        sold_by=request.user,
        note=payload.note,
    )
    return Status(201 if created else 200, _order(request, order.pk))


@router.post("/orders/{order_id}/refunds", response={200: OrderOut, **ERRORS})
def order_refund(request: HttpRequest, order_id: Id, payload: RefundIn) -> Any:
    """Return part of a paid order: refund lines at the price paid, at most what was sold."""
    order = _order(request, order_id, perm="sales.change_order")
    services.order_refund(actor=request.user, order=order, lines=_lines(payload.lines))
    return _order(request, order_id)


@router.post("/orders/{order_id}/status", response={200: OrderOut, **ERRORS})
def order_status(request: HttpRequest, order_id: Id, payload: StatusIn) -> Any:
    """Cancel or wholly refund an order (or set it paid again); roll-ups follow."""
    order = _order(request, order_id, perm="sales.change_order")
    services.order_set_status(actor=request.user, order=order, status=payload.status)
    return _order(request, order_id)
