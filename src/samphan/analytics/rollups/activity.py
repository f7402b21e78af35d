"""Per customer (``CustomerActivity``): purchases summed, visits, days; one row each."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations

from samphan.analytics.models import HOURS, WEEKDAYS, CustomerActivity
from samphan.analytics.rollups.common import (
    ACTIVITY,
    COUNTER_COLUMNS,
    INTERACTIONS,
    NOTHING_ALONG,
    ORDERS,
    Along,
    day_param,
    local_date,
    when_param,
)
from samphan.core import sql
from samphan.core.bulk import python_values
from samphan.customers.models import Interaction
from samphan.sales.models import ZERO, Order

READ = ("last_day", "last_day_first_at", "last_visit_at")  # what activity_add decides on
ACTIVITY_COLUMNS = [
    "customer_id", "revenue", "profit", "order_count", "first_purchase_at", "last_purchase_at",
    "visit_count", "first_visit_at", "last_visit_at", "days", "first_day",
    "last_day", "last_day_first_at", "gap_squares", *COUNTER_COLUMNS,
]  # fmt: skip
COUNTER_SUMS = ", ".join(
    [f"SUM(CASE WHEN day_weekday = {day} THEN 1 ELSE 0 END)" for day in WEEKDAYS]
    + [f"SUM(CASE WHEN day_hour = {hour} THEN 1 ELSE 0 END)" for hour in HOURS]
)

# One row per customer with every column of ``CustomerActivity`` (in the order of
# ``ACTIVITY_COLUMNS``), from the paid orders and the visits that pass ``where`` (a
# condition on ``customer_id``: the constants below, or an IN list); the parts in braces
# are the dialect's (``activity_select``). One pass, no join: each event carries whether it
# is a visit, each day keeps its visit figures and works out its weekday and hour once
# (not once per counter), and the last step sums the days.
ACTIVITY_SELECT = f"""
    WITH events AS (
        SELECT customer_id, {{order_day}} AS day, ordered_at AS at,
            0 AS is_visit, revenue, profit
        FROM {ORDERS} WHERE status = '{Order.Status.PAID}' AND {{where}}
        UNION ALL
        SELECT customer_id, {{visit_day}}, occurred_at, 1, 0, 0
        FROM {INTERACTIONS} WHERE kind = '{Interaction.Kind.VISIT}' AND {{where}}
    ),
    days AS (
        SELECT customer_id, day, MIN(at) AS first_at, SUM(is_visit) AS visits,
            MIN(CASE WHEN is_visit = 1 THEN at END) AS first_visit_at,
            MAX(CASE WHEN is_visit = 1 THEN at END) AS last_visit_at,
            SUM(revenue) AS revenue, SUM(profit) AS profit, SUM(1 - is_visit) AS orders,
            MIN(CASE WHEN is_visit = 0 THEN at END) AS first_purchase_at,
            MAX(CASE WHEN is_visit = 0 THEN at END) AS last_purchase_at
        FROM events GROUP BY customer_id, day
    ),
    gaps AS (
        SELECT days.*, {{gap}} AS gap, {{weekday}} AS day_weekday, {{hour}} AS day_hour
        FROM days
    )
    SELECT customer_id, SUM(revenue), SUM(profit), SUM(orders), MIN(first_purchase_at),
        MAX(last_purchase_at), SUM(visits), MIN(first_visit_at), MAX(last_visit_at), COUNT(*),
        MIN(day), MAX(day), MAX(first_at), COALESCE(SUM(gap * gap), 0), {COUNTER_SUMS}
    FROM gaps GROUP BY customer_id
"""  # noqa: S608 - joins the models' table names and choices and the counters above
ONE_CUSTOMER = "customer_id = %s"  # the customer twice: for the orders, for the visits
CUSTOMERS_FROM = "customer_id >= %(first)s"
EVERY_CUSTOMER = "1 = 1"
ACTIVITY_INSERT = f"INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) "
ACTIVITY_DELETE = "DELETE FROM " + ACTIVITY + " WHERE {where}"  # noqa: S608 - the table's name
# One customer recounted and upserted (``along``: writes sent with it). "WHERE true":
# SQLite's parser would read the ON of ON CONFLICT as a join's.
ACTIVITY_RECOUNT = (
    "{along}" + ACTIVITY_INSERT + "SELECT * FROM ({select}) AS fresh "  # noqa: S608 - constants
    "WHERE true ON CONFLICT (customer_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in ACTIVITY_COLUMNS[1:])
)
READ_SELECT = f"SELECT {', '.join(READ)} FROM {ACTIVITY} WHERE customer_id = %s"  # noqa: S608 - the table's and columns' names
# Adds to a customer's sums (the parameters: ``sums_params``); LEAST and GREATEST are the
# dialect's (``sums_added``).
SUMS_ADDED = (
    "revenue = revenue + %s, profit = profit + %s, order_count = order_count + %s, "
    "first_purchase_at = COALESCE({least}(first_purchase_at, %s), %s), "
    "last_purchase_at = COALESCE({greatest}(last_purchase_at, %s), %s)"
)
SUMS_UPDATE = "UPDATE " + ACTIVITY + " SET {sums}{more} WHERE customer_id = %s"  # noqa: S608 - the table's name
# A new order on a day after the customer's last, the gap computed from the stored last
# day: the sums, the day, its weekday's and hour's counters; or on the last day itself, at
# or after its first moment: the sums alone (``new_day_added``). Each SET reads the row as
# it was, so every CASE asks the same question of the same last day.
LATER = "last_day < %s"
NEW_DAY_UPDATE = (
    "{along}UPDATE " + ACTIVITY + " SET {sums}, "  # noqa: S608 - the table's name
    f"days = days + CASE WHEN {LATER} THEN 1 ELSE 0 END, "
    f"gap_squares = gap_squares + CASE WHEN {LATER} THEN {{gap}} * {{gap}} ELSE 0 END, "
    f"{{weekday}} = {{weekday}} + CASE WHEN {LATER} THEN 1 ELSE 0 END, "
    f"{{hour}} = {{hour}} + CASE WHEN {LATER} THEN 1 ELSE 0 END, "
    f"last_day_first_at = CASE WHEN {LATER} THEN %s ELSE last_day_first_at END, "
    f"last_day = CASE WHEN {LATER} THEN %s ELSE last_day END "
    f"WHERE customer_id = %s AND ({LATER} OR (last_day = %s AND last_day_first_at <= %s))"
)
# ``activity_add``'s update: the columns it sets, guarded by the last day it read.
GUARDED_UPDATE = (
    "UPDATE " + ACTIVITY + " SET {sets} WHERE customer_id = %s AND last_day {same} %s"  # noqa: S608 - the table's name
)
FIRST_DAY_INSERT = (
    ACTIVITY_INSERT + f"VALUES ({sql.placeholders(len(ACTIVITY_COLUMNS))}) "
    "ON CONFLICT (customer_id) DO NOTHING"
)


def activity_select(where: str) -> str:
    """``ACTIVITY_SELECT`` in the dialect in use."""
    gap = sql.days_between("day", "LAG(day) OVER (PARTITION BY customer_id ORDER BY day)")
    return ACTIVITY_SELECT.format(
        where=where,
        order_day=sql.local_day("ordered_at"),
        visit_day=sql.local_day("occurred_at"),
        gap=gap,
        weekday=sql.weekday("day"),
        hour=sql.local_hour("first_at"),
    )


def _activity_insert(where: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(ACTIVITY_INSERT + activity_select(where), params)
        return int(cursor.rowcount)


def activity_refresh(customer_ids: Iterable[int]) -> None:
    """Recompute these customers' activity from their orders and visits."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Named: the condition appears twice in the select (orders, visits), one value each.
        names = {f"c{index}": pk for index, pk in enumerate(chunk)}
        where = f"customer_id IN ({', '.join(f'%({name})s' for name in names)})"
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's delete first collects what would cascade (nothing).
            cursor.execute(ACTIVITY_DELETE.format(where=where), names)
        _activity_insert(where, names)


def activity_recount(customer_id: int, *, along: Along = NOTHING_ALONG) -> None:
    """Recompute one customer who has come at least once (the order or visit just written
    is theirs): one upsert, where ``activity_refresh`` deletes and inserts, a round trip
    more. ``along``: other writes sent with it."""
    statement = ACTIVITY_RECOUNT.format(along=along.prefix(), select=activity_select(ONE_CUSTOMER))
    with connection.cursor() as cursor:
        cursor.execute(statement, [*along.prefix_params(), customer_id, customer_id])
    along.after()


def activity_fill(*, from_customer_id: int) -> int:
    """Activity for the customers from this id on (after the demo wrote them directly)."""
    CustomerActivity.objects.filter(pk__gte=from_customer_id).delete()
    return _activity_insert(CUSTOMERS_FROM, {"first": from_customer_id})


def activity_rebuild() -> int:
    CustomerActivity.objects.all().delete()
    return _activity_insert(EVERY_CUSTOMER, {})


class Purchases(NamedTuple):
    """What to add to one customer's purchase sums, and the span of the orders' dates."""

    customer_id: int
    revenue: Decimal
    profit: Decimal
    orders: int
    first_at: dt.datetime
    last_at: dt.datetime


def purchases_of(orders: Iterable[Order]) -> dict[int, Purchases]:
    """New paid orders summed per customer."""
    sums: dict[int, Purchases] = {}
    for order in orders:
        at, customer_id = order.ordered_at, order.customer_id
        known = sums.get(customer_id) or Purchases(customer_id, ZERO, ZERO, 0, at, at)
        sums[customer_id] = Purchases(
            customer_id,
            known.revenue + order.revenue,
            known.profit + order.profit,
            known.orders + 1,
            min(known.first_at, at),
            max(known.last_at, at),
        )
    return sums


def activity_add(
    customer_id: int, at: dt.datetime, *, visit: bool, bought: Purchases | None = None
) -> None:
    """Count one visit, or one new paid order (``bought``: its sums) at ``at``: one read
    decides, and one statement writes. A visit or a second purchase on the last day adds
    to the counters, a later day is counted, a customer without a row gets one, and
    anything earlier is recomputed. (A new order's usual case, a day after the customer's
    last, is ``new_day_added``, before this.)
    """
    with connection.cursor() as cursor:
        cursor.execute(READ_SELECT, [customer_id])
        row = cursor.fetchone()
    if row is None:
        activity_first(customer_id, at, visit=visit, bought=bought)
        return
    last_day, last_day_first_at, last_visit_at = python_values(CustomerActivity, READ, row)
    day = local_date(at)
    sets: list[str] = []
    params: list[Any] = []
    if last_day is None or day > last_day:
        gap = (day - last_day).days if last_day else 0
        sets += [
            "days = days + 1",
            "first_day = COALESCE(first_day, %s)",
            "last_day = %s",
            "last_day_first_at = %s",
            "gap_squares = gap_squares + %s",
            f"weekday_{day.weekday()} = weekday_{day.weekday()} + 1",
            f"hour_{at.astimezone(sql.zone()).hour} = hour_{at.astimezone(sql.zone()).hour} + 1",
        ]
        params += [day_param(day), day_param(day), when_param(at), gap * gap]
    elif day < last_day or at < last_day_first_at:
        activity_recount(customer_id)
        return
    if visit:
        if last_visit_at is not None and at < last_visit_at:
            activity_recount(customer_id)
            return
        sets += [
            "visit_count = visit_count + 1",
            "first_visit_at = COALESCE(first_visit_at, %s)",
            "last_visit_at = %s",
        ]
        params += [when_param(at), when_param(at)]
    if bought is not None:
        sets.append(sums_added())
        params += sums_params(bought, connection.ops)
    if not sets:
        return
    with connection.cursor() as cursor:
        # The guard on last_day: a concurrent writer that moved it first makes this one
        # recompute instead of adding to figures it did not read.
        # The columns set are named from a date's weekday and hour: no input in them.
        statement = GUARDED_UPDATE.format(sets=", ".join(sets), same=sql.is_not_distinct())
        cursor.execute(statement, [*params, customer_id, day_param(last_day)])
        updated = cursor.rowcount
    if not updated:
        activity_recount(customer_id)


def new_day_added(order: Order, *, along: Along = NOTHING_ALONG) -> bool:
    """Count a new order in one UPDATE when its day is after the customer's last (the gap
    computed in SQL from the stored last day): its sums, and the day; or when it is on the
    last day at or after its first moment (a second sale that day): its sums. False when no
    row qualified. ``along``: other writes sent with it."""
    at = order.ordered_at
    bought = Purchases(order.customer_id, order.revenue, order.profit, 1, at, at)
    local = at.astimezone(sql.zone())
    day = day_param(local.date())
    statement = NEW_DAY_UPDATE.format(
        along=along.prefix(),
        sums=sums_added(),
        gap=sql.days_between(sql.date_param(), "last_day"),
        weekday=f"weekday_{local.weekday()}",
        hour=f"hour_{local.hour}",
    )
    when = when_param(at)
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [*along.prefix_params(), *sums_params(bought, connection.ops),
             day, day, day, day, day, day, day, when, day, day,
             order.customer_id, day, day, when],
        )  # fmt: skip
        counted = int(cursor.rowcount) > 0
    along.after()
    return counted


def activity_first(
    customer_id: int, at: dt.datetime, *, visit: bool, bought: Purchases | None
) -> None:
    """A customer's first day: every customer who came has a row (the roll-up's invariant,
    which the property test checks), so no row means nothing to recompute from."""
    with connection.cursor() as cursor:
        row = first_day_row(customer_id, at, visit=visit, bought=bought)
        cursor.execute(FIRST_DAY_INSERT, row)
        inserted = cursor.rowcount
    if not inserted:  # another writer made it first
        activity_recount(customer_id)


def sums_added() -> str:
    """``SUMS_ADDED`` in the dialect in use."""
    return SUMS_ADDED.format(least=sql.least(), greatest=sql.greatest())


def sums_update(more: str) -> str:
    """An update adding a customer's new purchases (``sums_params``), and ``more`` (the
    batch's ``DAY_CHANGE``, or nothing)."""
    return SUMS_UPDATE.format(sums=sums_added(), more=f", {more}" if more else "")


def sums_params(bought: Purchases, ops: BaseDatabaseOperations) -> list[Any]:
    first = ops.adapt_datetimefield_value(bought.first_at)
    last = ops.adapt_datetimefield_value(bought.last_at)
    return [bought.revenue, bought.profit, bought.orders, first, first, last, last]


def first_day_row(
    customer_id: int, at: dt.datetime, *, visit: bool, bought: Purchases | None = None
) -> list[Any]:
    """A customer's first day, begun by a visit or orders (``bought``) at ``at`` (in the
    order of ``ACTIVITY_COLUMNS``)."""
    day = local_date(at)
    visited = when_param(at) if visit else None
    counters = counters_of(day, at)
    purchases: list[Any] = [0, 0, 0, None, None]
    if bought is not None:
        purchases = [bought.revenue, bought.profit, bought.orders, when_param(bought.first_at),
                     when_param(bought.last_at)]  # fmt: skip
    return [customer_id, *purchases, int(visit), visited, visited, 1, day_param(day),
            day_param(day), when_param(at), 0, *counters]  # fmt: skip


def counters_of(day: dt.date, at: dt.datetime) -> list[int]:
    """The weekday and hour counters of one new day (``COUNTER_COLUMNS``); ``at`` in local
    time, or converted."""
    if at.tzinfo is not sql.zone():
        at = at.astimezone(sql.zone())
    counters = [0] * len(COUNTER_COLUMNS)
    counters[day.weekday()] = 1
    counters[len(WEEKDAYS) + at.hour] = 1
    return counters
