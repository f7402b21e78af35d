"""Per local day and channel (``DailySales``): paid orders summed."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection

from samphan.analytics.models import DailySales
from samphan.analytics.rollups.common import DAILY, day_bounds, day_param, local_date, when_param
from samphan.core import sql
from samphan.sales.models import Order

DAILY_UPSERT = f"""
    INSERT INTO {DAILY} (day, channel, revenue, profit, order_count)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (day, channel) DO UPDATE SET
        revenue = {DAILY}.revenue + excluded.revenue,
        profit = {DAILY}.profit + excluded.profit,
        order_count = {DAILY}.order_count + excluded.order_count
"""  # noqa: S608 - no input in the names


def daily_add(
    at: dt.datetime, channel: str, *, revenue: Decimal, profit: Decimal, orders: int
) -> None:
    """Add an order's (or a refund's) figures to its local day and channel."""
    with connection.cursor() as cursor:
        cursor.execute(DAILY_UPSERT, [day_param(local_date(at)), channel, revenue, profit, orders])


def _daily_insert(where: str, params: list[Any]) -> None:
    day = sql.local_day("ordered_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DAILY} (day, channel, revenue, profit, order_count) "  # noqa: S608
            f"SELECT {day}, channel, SUM(revenue), SUM(profit), COUNT(*) "
            f"FROM {Order._meta.db_table} WHERE status = %s AND {where} "
            f"GROUP BY {day}, channel",
            [Order.Status.PAID, *params],
        )


def daily_refresh(days: Iterable[dt.date]) -> None:
    """Recompute these local days from the orders (each read through the date index)."""
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DAILY} WHERE day = %s", [day_param(day)])  # noqa: S608
        _daily_insert("ordered_at >= %s AND ordered_at < %s", [when_param(start), when_param(end)])


def daily_rebuild() -> int:
    DailySales.objects.all().delete()
    _daily_insert("1 = 1", [])
    return DailySales.objects.count()
