"""/api/v1 products and orders: how a shop's POS or e-shop pushes its sales in.

Thin: strict schemas, authorise, call the same services and queries as the pages.
``POST /orders`` with an ``external_id`` already recorded answers 200 with that order
and writes nothing, so a retried request never doubles a sale; ``POST /orders/batch``
does the same for up to 1,000 orders at once.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import (
    ERRORS,
    Id,
    IsoDate,
    IsoDateTime,
    MaxChars,
    OneOf,
    Search,
    page_of,
)
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.access import order_for_user
from samphan.sales.api.common import LineIn, lines_input, router
from samphan.sales.models import Order


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


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    channel: Annotated[str, OneOf(Order.Channel.values)]
    ordered_at: IsoDateTime | None = None
    external_id: Annotated[str, MaxChars(100)] | None = None
    note: Annotated[str, MaxChars(500)] = ""
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")
    orders: list[OrderIn] = Field(min_length=1, max_length=1_000)
    partial: bool = False


class BatchOrderOut(Schema):
    index: int
    status: Literal["created", "skipped"]
    id: int
    number: str


class BatchOut(Schema):
    created: int
    skipped: int
    lines: int
    orders: list[BatchOrderOut]
    errors: dict[int, dict[str, list[str]]]


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Annotated[str, OneOf(Order.Status.values)]


class OrderPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[OrderOut]


class OrderParams(Schema):
    customer: Id | None = None
    channel: Annotated[str, OneOf(Order.Channel.values, blank=True)] = ""
    status: Annotated[str, OneOf(Order.Status.values, blank=True)] = ""
    since: IsoDate | None = None
    until: IsoDate | None = None
    q: Search = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


# -- Orders -----------------------------------------------------------------------------------


@router.get("/orders", response={200: OrderPage, **ERRORS})
def order_list(request: Request, params: Query[OrderParams]) -> Any:
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
    return page_of(orders, params.page, params.page_size)


# Before /orders/{order_id}: Django tries URL patterns in order.
@router.post("/orders/batch", response={200: BatchOut, **ERRORS})
def order_batch(request: Request, payload: BatchIn) -> Any:
    """Record up to 1,000 paid orders in one transaction (a POS batch, an import).

    All or nothing: one invalid order and nothing is written (422 naming
    `orders.N.field`). With `partial: true` the valid orders are written and the
    invalid ones listed in `errors` by index. An `external_id` already recorded is
    skipped, so a retried batch never doubles an order.
    """
    require_perm(request.user, "sales.add_order")
    result = services.orders_bulk_record(
        actor=request.user,
        orders=[_order_input(index, order) for index, order in enumerate(payload.orders)],
        sold_by=request.user,
        partial=payload.partial,
        customers=Customer.objects.visible_to(request.user),
    )
    if result.errors and not payload.partial:
        raise ValidationError(
            {
                f"orders.{index}.{name}": messages
                for index, errors in sorted(result.errors.items())
                for name, messages in errors.items()
            }
        )
    return _batch_out(result)


def _batch_out(result: services.BulkResult) -> dict[str, Any]:
    statuses = [(index, "created", order) for index, order in result.created.items()]
    statuses += [(index, "skipped", order) for index, order in result.skipped.items()]
    return {
        "created": len(result.created),
        "skipped": len(result.skipped),
        "lines": result.lines,
        "orders": [
            {"index": index, "status": status, "id": order.pk, "number": order.number}
            for index, status, order in sorted(statuses, key=lambda row: row[0])
        ],
        "errors": result.errors,
    }


def _order_input(index: int, order: OrderIn) -> services.OrderInput:
    try:
        lines = lines_input(order.lines)
    except ValidationError as error:
        # A line naming no product is a malformed request, refused whole like a schema error.
        raise ValidationError(
            {f"orders.{index}.{name}": messages for name, messages in error.message_dict.items()}
        ) from error
    return services.OrderInput(
        customer=order.customer_id,
        channel=order.channel,
        lines=lines,
        ordered_at=order.ordered_at,
        external_id=order.external_id,
        note=order.note,
    )


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def order_get(request: Request, order_id: Id) -> Any:
    return order_for_user(request.user, order_id, perm="sales.view_order")


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS})
def order_create(request: Request, payload: OrderIn) -> Any:
    """Record a paid order (201). The same `external_id` again returns the first order (200)."""
    require_perm(request.user, "sales.add_order")
    customer = queries.customer_to_sell_to(request.user, payload.customer_id, field="customer_id")
    order, created = services.order_record(
        actor=request.user,
        customer=customer,
        lines=lines_input(payload.lines),
        channel=payload.channel,
        ordered_at=payload.ordered_at,
        external_id=payload.external_id,
        sold_by=request.user,
        note=payload.note,
    )
    if not created:
        return Status(200, order_for_user(request.user, order.pk, perm="sales.view_order"))
    # As written (its lines and products with it, ``order_rows.as_written``): reading it
    # back, three queries, would give the same; the customer was just checked visible.
    require_perm(request.user, "sales.view_order")
    return Status(201, order)


@router.post("/orders/{order_id}/refunds", response={200: OrderOut, **ERRORS})
def order_refund(request: Request, order_id: Id, payload: RefundIn) -> Any:
    """Return part of a paid order: refund lines at the price paid, at most what was sold."""
    order = order_for_user(request.user, order_id, perm="sales.change_order")
    services.order_refund(actor=request.user, order=order, lines=lines_input(payload.lines))
    return order_for_user(request.user, order_id, perm="sales.view_order")


@router.post("/orders/{order_id}/status", response={200: OrderOut, **ERRORS})
def order_status(request: Request, order_id: Id, payload: StatusIn) -> Any:
    """Cancel or wholly refund an order (or set it paid again); roll-ups follow."""
    order = order_for_user(request.user, order_id, perm="sales.change_order")
    services.order_set_status(actor=request.user, order=order, status=payload.status)
    return order_for_user(request.user, order_id, perm="sales.view_order")
