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

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.bulk import insert_row, insert_rows
from samphan.core.models import AuditEvent
from samphan.customers.lifecycle import Purchase, customers_promote, may_become_customer
from samphan.sales.models import Order, OrderLine
from samphan.sales.services.order_lines import PricedLine
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
AUDIT_COLUMNS = ["at", "actor_id", "action", "subject_type", "subject_id", "customer_id", "changes"]

OrderWithLines = tuple[Order, Sequence[PricedLine]]


def orders_insert(*, actor: User | None, orders: Sequence[OrderWithLines]) -> None:
    """Write validated, numbered orders (unsaved) with their lines and an audit row each.
    Sets their ids."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if len(orders) == 1:  # one POS sale: its id comes back from the insert itself
        order = orders[0][0]
        _saved(order, insert_row(Order, ORDER_COLUMNS, _order_row(order, now)))
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
