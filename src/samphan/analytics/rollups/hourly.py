"""Per local day and hour (``HourlyTraffic``): orders and visits counted."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

from samphan.analytics.models import HourlyTraffic
from samphan.analytics.rollups.common import (
    HOURLY,
    INTERACTIONS,
    ORDERS,
    day_bounds,
    day_param,
    when_param,
)
from samphan.core import sql
from samphan.customers.models import Interaction
from samphan.sales.models import Order

HOURLY_UPSERT = f"""
    INSERT INTO {HOURLY} (day, hour, orders, visits) VALUES (%s, %s, %s, %s)
    ON CONFLICT (day, hour) DO UPDATE SET
        orders = {HOURLY}.orders + excluded.orders,
        visits = {HOURLY}.visits + excluded.visits
"""  # noqa: S608 - the table's name
# The hours' counts from the paid orders and visits in the times ``order_when`` and
# ``visit_when`` (the constants below); ``day`` and ``hour``: an event's local day and
# hour, in the dialect's SQL.
HOURLY_INSERT = f"""
    INSERT INTO {HOURLY} (day, hour, orders, visits)
    SELECT {{day}}, {{hour}}, SUM(is_order), SUM(1 - is_order) FROM (
        SELECT ordered_at AS at, 1 AS is_order FROM {ORDERS}
        WHERE status = %s AND {{order_when}}
        UNION ALL
        SELECT occurred_at, 0 FROM {INTERACTIONS}
        WHERE kind = %s AND {{visit_when}}
    ) AS events
    GROUP BY {{day}}, {{hour}}
"""  # noqa: S608 - the tables' names
ONE_DAY = ("ordered_at >= %s AND ordered_at < %s", "occurred_at >= %s AND occurred_at < %s")
EVERY_DAY = ("1 = 1", "1 = 1")
DAY_DELETE = f"DELETE FROM {HOURLY} WHERE day = %s"  # noqa: S608 - the table's name
EVERY_DAY_DELETE = f"DELETE FROM {HOURLY}"  # noqa: S608 - the table's name


def hourly_add(at: dt.datetime, *, orders: int = 0, visits: int = 0) -> None:
    """Count an order or a visit in its local day and hour."""
    local = at.astimezone(sql.zone())
    with connection.cursor() as cursor:
        cursor.execute(HOURLY_UPSERT, [day_param(local.date()), local.hour, orders, visits])


def _hourly_insert(when: tuple[str, str], params: list[Any]) -> None:
    statement = HOURLY_INSERT.format(
        day=sql.local_day("at"),
        hour=sql.local_hour("at"),
        order_when=when[0],
        visit_when=when[1],
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [Order.Status.PAID, *params, Interaction.Kind.VISIT, *params])


def hourly_refresh(days: Iterable[dt.date]) -> None:
    """Recompute these local days (after a cancellation, a batch, an edited visit)."""
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        with connection.cursor() as cursor:
            cursor.execute(DAY_DELETE, [day_param(day)])
        _hourly_insert(ONE_DAY, [when_param(start), when_param(end)])


def hourly_rebuild() -> int:
    with connection.cursor() as cursor:
        cursor.execute(EVERY_DAY_DELETE)
    _hourly_insert(EVERY_DAY, [])
    return HourlyTraffic.objects.count()
