"""Each customer's purchase roll-up: kept by order writes, rebuilt from scratch on demand."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least

from samphan.sales.models import CustomerSales, Order

# -- Roll-ups ---------------------------------------------------------------------------------


def rollup_add(
    customer_id: int, *, revenue: Decimal, profit: Decimal, orders: int, at: dt.datetime
) -> None:
    """Add one order's (or refund's) figures to the customer's roll-up with one UPDATE."""
    CustomerSales.objects.get_or_create(customer_id=customer_id)
    CustomerSales.objects.filter(pk=customer_id).update(
        revenue=F("revenue") + revenue,
        profit=F("profit") + profit,
        order_count=F("order_count") + orders,
        first_purchase_at=Least(Coalesce(F("first_purchase_at"), Value(at)), Value(at)),
        last_purchase_at=Greatest(Coalesce(F("last_purchase_at"), Value(at)), Value(at)),
    )


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
