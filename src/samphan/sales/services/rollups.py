"""Each customer's purchase roll-up: kept by order writes, rebuilt from scratch on demand."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction

from samphan.sales.models import CustomerSales, Order

# -- Roll-ups ---------------------------------------------------------------------------------


def rollup_add(
    customer_id: int, *, revenue: Decimal, profit: Decimal, orders: int, at: dt.datetime
) -> None:
    """Add one order's (or refund's) figures to the customer's roll-up."""
    rollups_add([RollupChange(customer_id, revenue, profit, orders, at, at)])


class RollupChange(NamedTuple):
    """What to add to one customer's roll-up: sums, and the span of the orders' dates."""

    customer_id: int
    revenue: Decimal
    profit: Decimal
    orders: int
    first_at: dt.datetime
    last_at: dt.datetime


def rollups_add(changes: Sequence[RollupChange]) -> None:
    """Add to each customer's roll-up: one upsert a customer (the row is made on a first
    purchase), all of them in one ``executemany``, and no ORM expression to compile, as it
    runs for every order recorded."""
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    table = "sales_customersales"
    sql = f"""
        INSERT INTO {table}
            (customer_id, revenue, profit, order_count, first_purchase_at, last_purchase_at)
        VALUES (%s, %s, %s, %s, %s, %s)
        ON CONFLICT (customer_id) DO UPDATE SET
            revenue = {table}.revenue + excluded.revenue,
            profit = {table}.profit + excluded.profit,
            order_count = {table}.order_count + excluded.order_count,
            first_purchase_at = COALESCE(
                {least}({table}.first_purchase_at, excluded.first_purchase_at),
                excluded.first_purchase_at),
            last_purchase_at = COALESCE(
                {greatest}({table}.last_purchase_at, excluded.last_purchase_at),
                excluded.last_purchase_at)
    """  # noqa: S608 - no input in the names
    when = connection.ops.adapt_datetimefield_value
    rows = [
        (change.customer_id, change.revenue, change.profit, change.orders,
         when(change.first_at), when(change.last_at))
        for change in changes
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


ROLLUP_SELECT = """
    SELECT customer_id, SUM(revenue), SUM(profit), COUNT(*), MIN(ordered_at), MAX(ordered_at)
    FROM sales_order WHERE status = %s {where} GROUP BY customer_id
"""
ROLLUP_INSERT = (
    "INSERT INTO sales_customersales "
    "(customer_id, revenue, profit, order_count, first_purchase_at, last_purchase_at) "
)


def rollup_refresh(customer_ids: Sequence[int]) -> None:
    """Recompute these customers' roll-ups from their orders (after a cancellation)."""
    if not customer_ids:
        return  # PostgreSQL refuses an empty IN ()
    CustomerSales.objects.filter(pk__in=customer_ids).delete()
    placeholders = ", ".join(["%s"] * len(customer_ids))
    select = ROLLUP_SELECT.format(where=f"AND customer_id IN ({placeholders})")
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_INSERT + select, [Order.Status.PAID, *customer_ids])


@transaction.atomic
def rollup_fill(*, from_customer_id: int) -> int:
    """Roll-ups for the customers from this id on, who have none yet: after a bulk load
    (the demo) wrote their orders directly, one ``INSERT … SELECT`` fills them all."""
    select = ROLLUP_SELECT.format(where="AND customer_id >= %s")
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_INSERT + select, [Order.Status.PAID, from_customer_id])
        return cursor.rowcount


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute every customer's roll-up from scratch with one set-based statement."""
    CustomerSales.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_INSERT + ROLLUP_SELECT.format(where=""), [Order.Status.PAID])
    return CustomerSales.objects.count()
