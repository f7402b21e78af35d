"""Keeping the analytics roll-ups: per customer (``CustomerActivity``), per day and
channel (``DailySales``), per day and hour (``HourlyTraffic``).

Writes call these inside their own transaction. The common case is cheap: an order or a
visit later than everything before it adds to counters in one or two statements, and a
batch of new orders adds its sums per day and hour. Anything else (a back-dated entry, a
cancellation, an edited or deleted visit, a merge) recomputes the customers or days it
touched with the same set-based SQL that rebuilds everything, so there is one definition
of each figure.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from samphan.analytics import sql
from samphan.analytics.models import HOURS, WEEKDAYS, CustomerActivity, DailySales, HourlyTraffic
from samphan.core.bulk import python_values
from samphan.customers.models import Interaction
from samphan.sales.models import ZERO, Order

ACTIVITY = CustomerActivity._meta.db_table
DAILY = DailySales._meta.db_table
HOURLY = HourlyTraffic._meta.db_table
READ = ("last_day", "last_day_first_at", "last_visit_at")  # what activity_add decides on
COUNTER_COLUMNS = [f"weekday_{day}" for day in WEEKDAYS] + [f"hour_{hour}" for hour in HOURS]


def _when(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _day(day: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(sql.zone()).date()


# -- Per customer -----------------------------------------------------------------------------


def _activity_select(where: str) -> str:
    """One row per customer with every column of ``CustomerActivity``, from the paid
    orders and the visits that pass ``where`` (a condition on ``customer_id``)."""
    counters = [f"SUM(CASE WHEN day_weekday = {d} THEN 1 ELSE 0 END)" for d in WEEKDAYS] + [
        f"SUM(CASE WHEN day_hour = {h} THEN 1 ELSE 0 END)" for h in HOURS
    ]
    gap = sql.days_between("day", "LAG(day) OVER (PARTITION BY customer_id ORDER BY day)")
    # One pass, no join: each event carries whether it is a visit, each day keeps its
    # visit figures and works out its weekday and hour once (not once per counter), and
    # the last step sums the days.
    return f"""
        WITH events AS (
            SELECT customer_id, {sql.local_day("ordered_at")} AS day, ordered_at AS at,
                0 AS is_visit
            FROM {Order._meta.db_table} WHERE status = %(paid)s AND {where}
            UNION ALL
            SELECT customer_id, {sql.local_day("occurred_at")}, occurred_at, 1
            FROM {Interaction._meta.db_table} WHERE kind = %(visit)s AND {where}
        ),
        days AS (
            SELECT customer_id, day, MIN(at) AS first_at, SUM(is_visit) AS visits,
                MIN(CASE WHEN is_visit = 1 THEN at END) AS first_visit_at,
                MAX(CASE WHEN is_visit = 1 THEN at END) AS last_visit_at
            FROM events GROUP BY customer_id, day
        ),
        gaps AS (
            SELECT days.*, {gap} AS gap, {sql.weekday("day")} AS day_weekday,
                {sql.local_hour("first_at")} AS day_hour
            FROM days
        )
        SELECT customer_id, SUM(visits), MIN(first_visit_at), MAX(last_visit_at), COUNT(*),
            MIN(day), MAX(day), MAX(first_at), COALESCE(SUM(gap * gap), 0), {", ".join(counters)}
        FROM gaps GROUP BY customer_id
    """  # noqa: S608 - no input in the names


ACTIVITY_COLUMNS = [
    "customer_id", "visit_count", "first_visit_at", "last_visit_at", "days", "first_day",
    "last_day", "last_day_first_at", "gap_squares", *COUNTER_COLUMNS,
]  # fmt: skip


def _activity_insert(where: str, params: dict[str, Any]) -> int:
    statement = f"INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) " + _activity_select(where)
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            {"paid": Order.Status.PAID, "visit": Interaction.Kind.VISIT, **params},
        )
        return cursor.rowcount


def activity_refresh(customer_ids: Iterable[int]) -> None:
    """Recompute these customers' activity from their orders and visits."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        names = {f"c{index}": pk for index, pk in enumerate(chunk)}
        where = f"customer_id IN ({', '.join(f'%({name})s' for name in names)})"
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's delete first collects what would cascade (nothing).
            cursor.execute(f"DELETE FROM {ACTIVITY} WHERE {where}", names)  # noqa: S608
        _activity_insert(where, names)


def activity_fill(*, from_customer_id: int) -> int:
    """Activity for the customers from this id on (after the demo wrote them directly)."""
    CustomerActivity.objects.filter(pk__gte=from_customer_id).delete()
    return _activity_insert("customer_id >= %(first)s", {"first": from_customer_id})


def activity_rebuild() -> int:
    CustomerActivity.objects.all().delete()
    return _activity_insert("1 = 1", {})


def activity_add(customer_id: int, at: dt.datetime, *, visit: bool) -> None:
    """Count one new paid order (``visit=False``) or visit at ``at``.

    An order on a day after the customer's last (the usual case: a sale now) is one
    statement. Otherwise one read decides: a visit or a second purchase on the last day
    adds to the counters, and anything earlier, or a customer without a row yet, is
    recomputed.
    """
    if not visit and _new_day_added(customer_id, at):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(READ)} FROM {ACTIVITY} "  # noqa: S608
            "WHERE customer_id = %s",
            [customer_id],
        )
        row = cursor.fetchone()
    if row is None:
        _activity_first(customer_id, at, visit=visit)
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
        params += [_day(day), _day(day), _when(at), gap * gap]
    elif day < last_day or at < last_day_first_at:
        activity_refresh([customer_id])
        return
    if visit:
        if last_visit_at is not None and at < last_visit_at:
            activity_refresh([customer_id])
            return
        sets += [
            "visit_count = visit_count + 1",
            "first_visit_at = COALESCE(first_visit_at, %s)",
            "last_visit_at = %s",
        ]
        params += [_when(at), _when(at)]
    if not sets:
        return  # a second purchase on the same day: the day is counted already
    with connection.cursor() as cursor:
        # The guard on last_day: a concurrent writer that moved it first makes this one
        # recompute instead of adding to figures it did not read.
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        cursor.execute(
            f"UPDATE {ACTIVITY} SET {', '.join(sets)} "  # noqa: S608 - no input in the names
            f"WHERE customer_id = %s AND last_day {same} %s",
            [*params, customer_id, connection.ops.adapt_datefield_value(last_day)],
        )
        updated = cursor.rowcount
    if not updated:
        activity_refresh([customer_id])


def _new_day_added(customer_id: int, at: dt.datetime) -> bool:
    """Count an order's day in one UPDATE when it is after the customer's last day (the
    gap computed in SQL from the stored last day); False when no row qualified."""
    local = at.astimezone(sql.zone())
    day = _day(local.date())
    param = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    gap = sql.days_between(param, "last_day")
    weekday, hour = f"weekday_{local.weekday()}", f"hour_{local.hour}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ACTIVITY} SET days = days + 1, last_day = %s, "  # noqa: S608
            f"last_day_first_at = %s, gap_squares = gap_squares + {gap} * {gap}, "
            f"{weekday} = {weekday} + 1, {hour} = {hour} + 1 "
            "WHERE customer_id = %s AND last_day < %s",
            [day, _when(at), day, day, customer_id, day],
        )
        return cursor.rowcount > 0


def _activity_first(customer_id: int, at: dt.datetime, *, visit: bool) -> None:
    """A customer's first day: every customer who came has a row (the roll-up's invariant,
    which the property test checks), so no row means nothing to recompute from."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_DAY_INSERT, _first_day_row(customer_id, at, visit=visit))
        inserted = cursor.rowcount
    if not inserted:  # another writer made it first
        activity_refresh([customer_id])


# -- Per day ----------------------------------------------------------------------------------


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
        cursor.execute(DAILY_UPSERT, [_day(local_date(at)), channel, revenue, profit, orders])


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


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local day as a UTC range [start, end)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=sql.zone())
    return start, start + dt.timedelta(days=1)


def daily_refresh(days: Iterable[dt.date]) -> None:
    """Recompute these local days from the orders (each read through the date index)."""
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DAILY} WHERE day = %s", [_day(day)])  # noqa: S608
        _daily_insert("ordered_at >= %s AND ordered_at < %s", [_when(start), _when(end)])


def daily_rebuild() -> int:
    DailySales.objects.all().delete()
    _daily_insert("1 = 1", [])
    return DailySales.objects.count()


# -- Per day and hour ------------------------------------------------------------------------


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
        cursor.execute(HOURLY_UPSERT, [_day(local.date()), local.hour, orders, visits])


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
            cursor.execute(f"DELETE FROM {HOURLY} WHERE day = %s", [_day(day)])  # noqa: S608
        _hourly_insert("{column} >= %s AND {column} < %s", [_when(start), _when(end)])


def hourly_rebuild() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HOURLY}")  # noqa: S608
    _hourly_insert("1 = 1", [])
    return HourlyTraffic.objects.count()


# -- What sales calls -------------------------------------------------------------------------


def order_recorded(order: Order) -> None:
    """A new paid order: its customer came that day, and its day sold this much."""
    activity_add(order.customer_id, order.ordered_at, visit=False)
    local = order.ordered_at.astimezone(sql.zone())
    daily = [_day(local.date()), order.channel, order.revenue, order.profit, 1]
    hourly = [_day(local.date()), local.hour, 1, 0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip for both upserts (each costs ~0.4 ms on PostgreSQL here).
            cursor.execute(f"WITH daily AS ({DAILY_UPSERT}) {HOURLY_UPSERT}", daily + hourly)
        else:
            cursor.execute(DAILY_UPSERT, daily)
            cursor.execute(HOURLY_UPSERT, hourly)


def orders_added(orders: Iterable[Order]) -> None:
    """New paid orders in bulk (a POS batch, an import): their customers' activity follows
    (``_activity_orders_added``), and their figures are added to their days and hours,
    summed here first, so a batch spread over three years of history costs one upsert per
    day touched rather than a recomputation of each day."""
    orders = list(orders)
    _activity_orders_added(orders)
    daily: dict[tuple[dt.date, str], list[Any]] = {}
    hourly: dict[tuple[dt.date, int], int] = {}
    for order in orders:
        local = order.ordered_at.astimezone(sql.zone())
        figures = daily.setdefault((local.date(), order.channel), [ZERO, ZERO, 0])
        figures[0] += order.revenue
        figures[1] += order.profit
        figures[2] += 1
        hourly[(local.date(), local.hour)] = hourly.get((local.date(), local.hour), 0) + 1
    with connection.cursor() as cursor:
        cursor.executemany(
            DAILY_UPSERT,
            [[_day(day), channel, *figures] for (day, channel), figures in daily.items()],
        )
        cursor.executemany(
            HOURLY_UPSERT,
            [[_day(day), hour, count, 0] for (day, hour), count in hourly.items()],
        )


def _activity_orders_added(orders: Sequence[Order]) -> None:
    """A batch's orders into their customers' activity. A customer whose orders in the
    batch all fall on one day after their last (a POS batch of today's sales) has that day
    added in place, every such customer by one ``executemany``, and so is a first day; a
    purchase on their last day, not earlier in it, changes nothing; anyone else (an import
    of old dates, several days in the batch) is recomputed, 500 customers a statement."""
    first_at: dict[int, dict[dt.date, dt.datetime]] = defaultdict(dict)
    for order in orders:
        days = first_at[order.customer_id]
        day = local_date(order.ordered_at)
        if day not in days or order.ordered_at < days[day]:
            days[day] = order.ordered_at
    one_day = {
        customer_id: next(iter(days.items()))
        for customer_id, days in first_at.items()
        if len(days) == 1
    }
    known = _last_days(list(one_day))
    recompute = [customer_id for customer_id in first_at if customer_id not in one_day]
    added, rows, firsts = [], [], []
    for customer_id, (day, at) in one_day.items():
        if customer_id not in known:
            # No row: nothing before (the roll-up's invariant), so this is their first day.
            firsts.append(_first_day_row(customer_id, at, visit=False))
            continue
        last_day, last_day_first_at = known[customer_id]
        if last_day is None or last_day_first_at is None:
            recompute.append(customer_id)
        elif day > last_day:
            added.append(customer_id)
            rows.append(_new_day_row(customer_id, day, at, last_day))
        elif day < last_day or at < last_day_first_at:
            recompute.append(customer_id)
    with connection.cursor() as cursor:
        if rows:
            cursor.executemany(NEW_DAY_UPDATE, rows)
            if cursor.rowcount != len(rows):
                # A concurrent writer moved someone's last day since the read (PostgreSQL):
                # recomputing them all is right whatever was or was not added.
                recompute += added
        if firsts:
            cursor.executemany(FIRST_DAY_INSERT, firsts)
            if cursor.rowcount != len(firsts):  # a concurrent writer made some first
                recompute += [row[0] for row in firsts]
    activity_refresh(recompute)


NEW_DAY_UPDATE = (
    f"UPDATE {ACTIVITY} SET days = days + 1, last_day = %s, last_day_first_at = %s, "  # noqa: S608
    "gap_squares = gap_squares + %s, "
    + ", ".join(f"{column} = {column} + %s" for column in COUNTER_COLUMNS)
    + " WHERE customer_id = %s AND last_day = %s"
)


FIRST_DAY_INSERT = (
    f"INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(ACTIVITY_COLUMNS))}) ON CONFLICT (customer_id) DO NOTHING"
)


def _first_day_row(customer_id: int, at: dt.datetime, *, visit: bool) -> list:
    """A customer's first day, begun by a visit or an order at ``at`` (in the order of
    ``ACTIVITY_COLUMNS``)."""
    day = local_date(at)
    visited = _when(at) if visit else None
    counters = _counters(day, at)
    return [customer_id, int(visit), visited, visited, 1, _day(day), _day(day), _when(at), 0,
            *counters]  # fmt: skip


def _counters(day: dt.date, at: dt.datetime) -> list[int]:
    """The weekday and hour counters of one new day (``COUNTER_COLUMNS``)."""
    hour = at.astimezone(sql.zone()).hour
    return [int(d == day.weekday()) for d in WEEKDAYS] + [int(h == hour) for h in HOURS]


def _new_day_row(customer_id: int, day: dt.date, at: dt.datetime, last_day: dt.date) -> list:
    gap = (day - last_day).days
    return [_day(day), _when(at), gap * gap, *_counters(day, at), customer_id, _day(last_day)]


def _last_days(
    customer_ids: list[int],
) -> dict[int, tuple[dt.date | None, dt.datetime | None]]:
    """Each customer's last day and the first moment of it, for those with a row."""
    names = ("customer_id", "last_day", "last_day_first_at")
    found = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(names)} FROM {ACTIVITY} "  # noqa: S608
                f"WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for row in cursor.fetchall():
                customer_id, last_day, first_at = python_values(CustomerActivity, names, row)
                found[customer_id] = (last_day, first_at)
    return found


def orders_changed(orders: Iterable[Order]) -> None:
    """Orders cancelled or restored: recompute their customers and days."""
    orders = list(orders)
    activity_refresh(order.customer_id for order in orders)
    days = {local_date(order.ordered_at) for order in orders}
    daily_refresh(days)
    hourly_refresh(days)


@transaction.atomic
def analytics_rebuild() -> dict[str, int]:
    """Every analytics roll-up from scratch."""
    return {"customers": activity_rebuild(), "days": daily_rebuild(), "hours": hourly_rebuild()}
