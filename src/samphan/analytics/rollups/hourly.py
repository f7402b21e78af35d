"""Per local day and hour (``HourlyTraffic``): orders and visits counted."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

from samphan.analytics.models import HourlyTraffic
from samphan.analytics.rollups.common import HOURLY, day_bounds, day_param, when_param
from samphan.core import sql
from samphan.customers.models import Interaction
from samphan.sales.models import Order

HOURLY_UPSERT = f"""
    INSERT INTO {HOURLY} (day, hour, orders, visits) VALUES (%s, %s, %s, %s)
    ON CONFLICT (day, hour) DO UPDATE SET
        orders = {HOURLY}.orders + excluded.orders,
        visits = {HOURLY}.visits + excluded.visits
"""  # noqa: S608 - no input in the names


def hourly_add(at: dt.datetime, *, orders: int = 0, visits: int = 0) -> None:
    """Count an order or a visit in its local day and hour."""
    local = at.astimezone(sql.zone())
    with connection.cursor() as cursor:
        cursor.execute(HOURLY_UPSERT, [day_param(local.date()), local.hour, orders, visits])


def _hourly_insert(where: str, params: list[Any]) -> None:
    day, hour = sql.local_day("at"), sql.local_hour("at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {HOURLY} (day, hour, orders, visits)
            SELECT {day}, {hour}, SUM(is_order), SUM(1 - is_order) FROM (
                SELECT ordered_at AS at, 1 AS is_order FROM {Order._meta.db_table}
                WHERE status = %s AND {where.format(column="ordered_at")}
                UNION ALL
                SELECT occurred_at, 0 FROM {Interaction._meta.db_table}
                WHERE kind = %s AND {where.format(column="occurred_at")}
            ) AS events
            GROUP BY {day}, {hour}
            """,  # noqa: S608 - no input in the names
            [Order.Status.PAID, *params, Interaction.Kind.VISIT, *params],
        )


def hourly_refresh(days: Iterable[dt.date]) -> None:
    """Recompute these local days (after a cancellation, a batch, an edited visit)."""
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {HOURLY} WHERE day = %s", [day_param(day)])  # noqa: S608
        _hourly_insert("{column} >= %s AND {column} < %s", [when_param(start), when_param(end)])


def hourly_rebuild() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HOURLY}")  # noqa: S608
    _hourly_insert("1 = 1", [])
    return HourlyTraffic.objects.count()
