"""New orders written as plain rows: the one writer behind ``order_record`` and
``orders_bulk_record``. A new way to write orders writes the rows with ``orders_insert``,
then calls ``orders_written``, in the same transaction.

An order is four kinds of row (the order, its lines, its audit row, the roll-up; the
timeline reads it from the order itself, ``samphan.sales.timeline``). Written through the
ORM that is about a millisecond of Python per order; as plain rows it is a fixed handful
of statements however many orders come, so a POS pushing one order at a time and an
import of thousands cost the database the same per order. Validation happens before
(``build_lines``, ``Order.full_clean``); after the rows, ``orders_written`` does what
every new order brings: its buyer becomes a customer, the orders are announced
(``samphan.sales.signals.orders_recorded``, which keeps the roll-ups: one order adds to
its customer's, a batch sums per customer, day and hour), and the product suggestions are
rebuilt when enough orders have come.
"""

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DecimalField
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.bulk import insert_row, insert_rows, insert_rows_returning_ids
from samphan.core.models import AuditEvent
from samphan.customers.lifecycle import Purchase, customers_promote, may_become_customer
from samphan.sales.models import Order, OrderLine, Product
from samphan.sales.services.order_lines import PricedLine, ProductPrice
from samphan.sales.services.suggestions import affinities_refresh_if_due
from samphan.sales.signals import orders_recorded

ORDER_COLUMNS = [
    "number", "external_id", "customer_id", "ordered_at", "channel", "status", "sold_by_id",
    "note", "revenue", "cost", "profit", "vat", "total", "created_at", "updated_at",
]  # fmt: skip
LINE_COLUMNS = [
    "order_id", "product_id", "is_refund", "quantity", "unit_price", "price_includes_vat",
    "discount", "unit_cost", "revenue", "cost", "profit", "vat",
]  # fmt: skip
LINE_FIELDS = ["id", *LINE_COLUMNS]
# Per field of LINE_FIELDS: its decimal places as an exponent to quantize to, or None.
LINE_EXPONENTS = [
    Decimal(1).scaleb(-field.decimal_places) if isinstance(field, DecimalField) else None
    for field in (OrderLine._meta.get_field(name.removesuffix("_id")) for name in LINE_FIELDS)
]
# What pricing read of a product, in the model's column order (as ``from_db`` takes them).
PRODUCT_FIELDS = [
    field.attname
    for field in Product._meta.concrete_fields
    if field.attname in ProductPrice._fields
]
AUDIT_COLUMNS = ["at", "actor_id", "action", "subject_type", "subject_id", "customer_id", "changes"]

OrderWithLines = tuple[Order, Sequence[PricedLine]]


def orders_insert(
    *, actor: User | None, orders: Sequence[OrderWithLines], read_back: bool = False
) -> None:
    """Write validated, numbered orders (unsaved) with their lines and an audit row each.
    Sets their ids; ``read_back`` (one order, ``order_record``) also makes the order what
    reading it back would give, its lines with it (``as_written``)."""
    written_at = timezone.now()
    now = connection.ops.adapt_datetimefield_value(written_at)
    if read_back:
        order, lines = orders[0]
        _saved(order, insert_row(Order, ORDER_COLUMNS, _order_row(order, now)))
        ids = insert_rows_returning_ids(
            OrderLine, LINE_COLUMNS, [_line_row(order, line) for line in lines]
        )
        as_written(order, lines, ids, written_at)
    elif len(orders) == 1:  # one POS sale: its id comes back from the insert itself
        order = orders[0][0]
        _saved(order, insert_row(Order, ORDER_COLUMNS, _order_row(order, now)))
        insert_rows(OrderLine, LINE_COLUMNS, [_line_row(order, line) for line in orders[0][1]])
    else:
        insert_rows(Order, ORDER_COLUMNS, [_order_row(order, now) for order, _ in orders])
        _fetch_ids([order for order, _ in orders])
        insert_rows(
            OrderLine,
            LINE_COLUMNS,
            [_line_row(order, line) for order, lines in orders for line in lines],
        )
    actor_id = actor.pk if actor is not None else None
    insert_rows(
        AuditEvent,
        AUDIT_COLUMNS,
        [_audit_row(order, len(lines), actor_id, now) for order, lines in orders],
    )


def orders_written(
    *,
    actor: User | None,
    orders: Sequence[Order],
    stages: Mapping[int, str],
    batch: bool = False,
) -> None:
    """After ``orders_insert``, in the same transaction: the rest of writing new orders.

    In this order: the buyers who are not customers yet become customers
    (``samphan.customers.lifecycle``; ``stages``, each buyer's stage as read before the
    write, says who may: a batch of customers costs no statement), the orders are announced
    (``orders_recorded``; ``batch`` from a batch writer: the roll-ups sum them), and the
    product suggestions are queued for a rebuild when enough orders have come.
    """
    customers_promote(
        actor=actor,
        purchases=[
            Purchase(order.customer_id, order.number, order.ordered_at)
            for order in orders
            if may_become_customer(stages[order.customer_id])
        ],
    )
    orders_recorded.send(sender=Order, orders=list(orders), batch=batch)
    affinities_refresh_if_due(max(order.pk for order in orders))


def _fetch_ids(orders: Sequence[Order]) -> None:
    """Ids by number (unique, just reserved): one indexed query, as COPY returns none."""
    numbers = [order.number for order in orders]
    marks = ", ".join(["%s"] * len(numbers))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, id FROM sales_order WHERE number IN ({marks})",  # noqa: S608
            numbers,
        )
        ids = dict(cursor.fetchall())
    for order in orders:
        _saved(order, ids[order.number])


def lines_insert(order: Order, lines: Sequence[PricedLine]) -> None:
    """Add lines to a saved order (a return's refund lines)."""
    insert_rows(OrderLine, LINE_COLUMNS, [_line_row(order, line) for line in lines])


def as_written(
    order: Order, lines: Sequence[PricedLine], ids: Sequence[int], written_at: dt.datetime
) -> None:
    """The saved ``order`` made what reading it back would give (``queries.order_detail``),
    without the three queries: its time stamps, ``ordered_at`` in UTC, and its lines (with
    their ids, in the order written, which is theirs) in the cache ``prefetch_related``
    fills, each with its product's fields that pricing read (the others load when asked).
    Each decimal as its column keeps it (``1`` → ``1.000``)."""
    order.created_at = order.updated_at = written_at
    order.ordered_at = order.ordered_at.astimezone(dt.UTC)
    alias = connection.alias
    rows = []
    for pk, line in zip(ids, lines, strict=True):
        values = [pk, order.pk, *_line_row(order, line)[1:]]
        row = OrderLine.from_db(alias, LINE_FIELDS, [
            value.quantize(exponent) if exponent is not None else value
            for value, exponent in zip(values, LINE_EXPONENTS, strict=True)
        ])  # fmt: skip
        row._state.fields_cache["order"] = order
        product = line.product
        row._state.fields_cache["product"] = Product.from_db(
            alias, PRODUCT_FIELDS, [getattr(product, name) for name in PRODUCT_FIELDS]
        )
        rows.append(row)
    cached = order.lines.all()
    cached._result_cache = rows
    cached._prefetch_done = True  # type: ignore[attr-defined]  # as prefetch_related sets it
    order._prefetched_objects_cache = {"lines": cached}  # type: ignore[attr-defined]  # idem


def _saved(order: Order, pk: int) -> None:
    order.pk = pk
    order._state.adding = False
    order._state.db = connection.alias


def _order_row(order: Order, now: object) -> tuple[Any, ...]:
    return (
        order.number, order.external_id, order.customer_id,
        connection.ops.adapt_datetimefield_value(order.ordered_at),
        order.channel, order.status, order.sold_by_id, order.note, order.revenue, order.cost,
        order.profit, order.vat, order.total, now, now,
    )  # fmt: skip


def _line_row(order: Order, line: PricedLine) -> tuple[Any, ...]:
    return (
        order.pk, line.product.id, line.is_refund, line.quantity, line.unit_price,
        line.price_includes_vat, line.discount, line.unit_cost, line.revenue, line.cost,
        line.profit, line.vat,
    )  # fmt: skip


def _audit_row(order: Order, lines: int, actor_id: int | None, now: object) -> tuple[Any, ...]:
    changes: dict[str, list[Any]] = {
        "number": [None, order.number],
        "total": [None, str(order.total)],
        "lines": [None, lines],
    }
    return (
        now, actor_id, AuditEvent.Action.CREATE, "sales.order", order.pk, order.customer_id,
        json.dumps(changes),
    )  # fmt: skip
