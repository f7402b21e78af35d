"""Per local day and channel (``DailySales``): paid orders summed."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection

from samphan.analytics.models import DailySales
from samphan.analytics.rollups.common import (
    DAILY,
    ORDERS,
    day_bounds,
    day_param,
    local_date,
    when_param,
)
from samphan.core import sql
from samphan.sales.models import Order

DAILY_UPSERT = f"""
    INSERT INTO {DAILY} (day, channel, revenue, profit, order_count)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (day, channel) DO UPDATE SET
        revenue = {DAILY}.revenue + excluded.revenue,
        profit = {DAILY}.profit + excluded.profit,
        order_count = {DAILY}.order_count + excluded.order_count
"""  # noqa: S608 - the table's name
# A day's sums from the paid orders that pass ``where`` (one of the constants below);
# ``day``: the orders' local day, in the dialect's SQL.
DAILY_INSERT = f"""
    INSERT INTO {DAILY} (day, channel, revenue, profit, order_count)
    SELECT {{day}}, channel, SUM(revenue), SUM(profit), COUNT(*)
    FROM {ORDERS} WHERE status = %s AND {{where}}
    GROUP BY {{day}}, channel
"""  # noqa: S608 - the tables' names
ONE_DAY = "ordered_at >= %s AND ordered_at < %s"  # through the date index
EVERY_DAY = "1 = 1"
DAY_DELETE = f"DELETE FROM {DAILY} WHERE day = %s"  # noqa: S608 - the table's name


def daily_add(
    at: dt.datetime, channel: str, *, revenue: Decimal, profit: Decimal, orders: int
) -> None:
    """Add an order's (or a refund's) figures to its local day and channel."""
    with connection.cursor() as cursor:
        cursor.execute(DAILY_UPSERT, [day_param(local_date(at)), channel, revenue, profit, orders])


def _daily_insert(where: str, params: list[Any]) -> None:
    statement = DAILY_INSERT.format(day=sql.local_day("ordered_at"), where=where)
    with connection.cursor() as cursor:
        cursor.execute(statement, [Order.Status.PAID, *params])


def daily_refresh(days: Iterable[dt.date]) -> None:
    """Recompute these local days from the orders (each read through the date index)."""
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        with connection.cursor() as cursor:
            cursor.execute(DAY_DELETE, [day_param(day)])
        _daily_insert(ONE_DAY, [when_param(start), when_param(end)])


def daily_rebuild() -> int:
    DailySales.objects.all().delete()
    _daily_insert(EVERY_DAY, [])
    return DailySales.objects.count()
