"""Keeping the roll-ups: per customer (``CustomerActivity``: purchases summed, visits,
days), per day and channel (``DailySales``), per day and hour (``HourlyTraffic``).

Writes call these inside their own transaction. The common case is cheap: an order or a
visit later than everything before it adds to counters in one or two statements, and a
batch of new orders adds its sums per day and hour, and per customer with the one new day
it works into their row, wherever it falls (an import of old history probes the days
around it): one statement a customer. A customer's sums and days are one row, so that an
order changes one row (one page; one new row version on PostgreSQL).
Anything else (a back-dated single order or visit, a cancellation, an edited or deleted
visit, a merge) recomputes the customers or days it touched with the same set-based SQL
that rebuilds everything; the property test holds both ways to the rebuild.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction

from samphan.analytics.models import HOURS, WEEKDAYS, CustomerActivity, DailySales, HourlyTraffic
from samphan.core import sql
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
    """One row per customer with every column of ``CustomerActivity`` (in the order of
    ``ACTIVITY_COLUMNS``), from the paid orders and the visits that pass ``where`` (a
    condition on ``customer_id``)."""
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
                0 AS is_visit, revenue, profit
            FROM {Order._meta.db_table} WHERE status = '{Order.Status.PAID}' AND {where}
            UNION ALL
            SELECT customer_id, {sql.local_day("occurred_at")}, occurred_at, 1, 0, 0
            FROM {Interaction._meta.db_table} WHERE kind = '{Interaction.Kind.VISIT}' AND {where}
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
            SELECT days.*, {gap} AS gap, {sql.weekday("day")} AS day_weekday,
                {sql.local_hour("first_at")} AS day_hour
            FROM days
        )
        SELECT customer_id, SUM(revenue), SUM(profit), SUM(orders), MIN(first_purchase_at),
            MAX(last_purchase_at), SUM(visits), MIN(first_visit_at), MAX(last_visit_at), COUNT(*),
            MIN(day), MAX(day), MAX(first_at), COALESCE(SUM(gap * gap), 0), {", ".join(counters)}
        FROM gaps GROUP BY customer_id
    """  # noqa: S608 - no input in the names


ACTIVITY_COLUMNS = [
    "customer_id", "revenue", "profit", "order_count", "first_purchase_at", "last_purchase_at",
    "visit_count", "first_visit_at", "last_visit_at", "days", "first_day",
    "last_day", "last_day_first_at", "gap_squares", *COUNTER_COLUMNS,
]  # fmt: skip


def _activity_insert(where: str, params: dict[str, Any]) -> int:
    statement = f"INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) " + _activity_select(where)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
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


def _activity_recount(
    customer_id: int, *, along: str = "", along_params: Sequence[Any] = ()
) -> None:
    """Recompute one customer who has come at least once (the order or visit just written
    is theirs): one upsert, where ``activity_refresh`` deletes and inserts, a round trip
    more. ``along``: a WITH clause of other writes sent in the same statement."""
    updates = ", ".join(f"{column} = excluded.{column}" for column in ACTIVITY_COLUMNS[1:])
    # "WHERE true": SQLite's parser would read the ON of ON CONFLICT as a join's.
    statement = (
        f"{along}INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) "  # noqa: S608
        f"SELECT * FROM ({_activity_select('customer_id = %s')}) AS fresh "
        f"WHERE true ON CONFLICT (customer_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        # The customer twice: once for the orders, once for the visits.
        cursor.execute(statement, [*along_params, customer_id, customer_id])


def activity_fill(*, from_customer_id: int) -> int:
    """Activity for the customers from this id on (after the demo wrote them directly)."""
    CustomerActivity.objects.filter(pk__gte=from_customer_id).delete()
    return _activity_insert("customer_id >= %(first)s", {"first": from_customer_id})


def activity_rebuild() -> int:
    CustomerActivity.objects.all().delete()
    return _activity_insert("1 = 1", {})


class Purchases(NamedTuple):
    """What to add to one customer's purchase sums, and the span of the orders' dates."""

    customer_id: int
    revenue: Decimal
    profit: Decimal
    orders: int
    first_at: dt.datetime
    last_at: dt.datetime


def _purchases_of(orders: Iterable[Order]) -> dict[int, Purchases]:
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
    last, is ``_new_day_added``, before this.)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(READ)} FROM {ACTIVITY} "  # noqa: S608
            "WHERE customer_id = %s",
            [customer_id],
        )
        row = cursor.fetchone()
    if row is None:
        _activity_first(customer_id, at, visit=visit, bought=bought)
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
        _activity_recount(customer_id)
        return
    if visit:
        if last_visit_at is not None and at < last_visit_at:
            _activity_recount(customer_id)
            return
        sets += [
            "visit_count = visit_count + 1",
            "first_visit_at = COALESCE(first_visit_at, %s)",
            "last_visit_at = %s",
        ]
        params += [_when(at), _when(at)]
    if bought is not None:
        sets.append(_SUMS_ADDED.format(**_least_greatest()))
        params += _sums_params(bought, connection.ops)
    if not sets:
        return
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
        _activity_recount(customer_id)


def _new_day_added(order: Order, *, along: str = "", along_params: Sequence[Any] = ()) -> bool:
    """Count a new order in one UPDATE when its day is after the customer's last (the gap
    computed in SQL from the stored last day): its sums, and the day. False when no row
    qualified. ``along``: a WITH clause of other writes sent in the same statement."""
    at = order.ordered_at
    bought = Purchases(order.customer_id, order.revenue, order.profit, 1, at, at)
    sums = _SUMS_ADDED.format(**_least_greatest())
    local = at.astimezone(sql.zone())
    day = _day(local.date())
    param = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    gap = sql.days_between(param, "last_day")
    weekday, hour = f"weekday_{local.weekday()}", f"hour_{local.hour}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{along}UPDATE {ACTIVITY} SET {sums}, days = days + 1, last_day = %s, "  # noqa: S608
            f"last_day_first_at = %s, gap_squares = gap_squares + {gap} * {gap}, "
            f"{weekday} = {weekday} + 1, {hour} = {hour} + 1 "
            "WHERE customer_id = %s AND last_day < %s",
            [*along_params, *_sums_params(bought, connection.ops), day, _when(at), day, day,
             order.customer_id, day],
        )  # fmt: skip
        return cursor.rowcount > 0


def _activity_first(
    customer_id: int, at: dt.datetime, *, visit: bool, bought: Purchases | None
) -> None:
    """A customer's first day: every customer who came has a row (the roll-up's invariant,
    which the property test checks), so no row means nothing to recompute from."""
    with connection.cursor() as cursor:
        row = _first_day_row(customer_id, at, visit=visit, bought=bought)
        cursor.execute(FIRST_DAY_INSERT, row)
        inserted = cursor.rowcount
    if not inserted:  # another writer made it first
        _activity_recount(customer_id)


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
    """A new paid order: its customer bought this much and came that day, and its day sold
    this much."""
    at = order.ordered_at
    local = at.astimezone(sql.zone())
    daily = [_day(local.date()), order.channel, order.revenue, order.profit, 1]
    hourly = [_day(local.date()), local.hour, 1, 0]
    if connection.vendor == "postgresql":
        # Each statement is a round trip of ~0.4 ms here: the day's and hour's upserts ride
        # with the customer's update, so the usual order is one statement in all.
        along = f"WITH daily AS ({DAILY_UPSERT}), hourly AS ({HOURLY_UPSERT}) "
        if local.date() < dt.datetime.now(local.tzinfo).date():
            # Dated before today: most likely before the customer's last day, which only a
            # recount gets right; sent at once, it saves the two statements that would find
            # that out first (a failed update and a read).
            _activity_recount(order.customer_id, along=along, along_params=daily + hourly)
            return
        counted = _new_day_added(order, along=along, along_params=daily + hourly)
    else:
        counted = _new_day_added(order)
        with connection.cursor() as cursor:
            cursor.execute(DAILY_UPSERT, daily)
            cursor.execute(HOURLY_UPSERT, hourly)
    if not counted:
        bought = Purchases(order.customer_id, order.revenue, order.profit, 1, at, at)
        activity_add(order.customer_id, at, visit=False, bought=bought)


def refund_recorded(order: Order, *, revenue: Decimal, profit: Decimal) -> None:
    """Refund lines added to a paid order (negative amounts): its customer's sums and its
    day's lose them; the order still counts, on the day it was made."""
    at = order.ordered_at
    refunded = Purchases(order.customer_id, revenue, profit, 0, at, at)
    with connection.cursor() as cursor:
        cursor.execute(
            _sums_update(""), [*_sums_params(refunded, connection.ops), order.customer_id]
        )
    daily_add(at, order.channel, revenue=revenue, profit=profit, orders=0)


def orders_added(orders: Iterable[Order]) -> None:
    """New paid orders in bulk (a POS batch, an import): their customers' sums and days
    follow (``_activity_orders_added``), and their figures are added to their days and
    hours, summed here first, so a batch spread over three years of history costs one
    upsert per day touched rather than a recomputation of each day."""
    zone = sql.zone()
    # Each order's local time once: the batch's hot loop (and the zone looked up once).
    placed = [(order, order.ordered_at.astimezone(zone)) for order in orders]
    _activity_orders_added(placed)
    daily: dict[tuple[dt.date, str], list[Any]] = {}
    hourly: dict[tuple[dt.date, int], int] = {}
    for order, local in placed:
        day = local.date()
        figures = daily.setdefault((day, order.channel), [ZERO, ZERO, 0])
        figures[0] += order.revenue
        figures[1] += order.profit
        figures[2] += 1
        hourly[(day, local.hour)] = hourly.get((day, local.hour), 0) + 1
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            DAILY_UPSERT,
            [[adapt(day), channel, *figures] for (day, channel), figures in daily.items()],
        )
        cursor.executemany(
            HOURLY_UPSERT,
            [[adapt(day), hour, count, 0] for (day, hour), count in hourly.items()],
        )


def _activity_orders_added(placed: Sequence[tuple[Order, dt.datetime]]) -> None:
    """A batch's orders into their customers' roll-ups, one statement a customer (one new
    version of the row on PostgreSQL), without recomputing anyone whose orders in the
    batch fall on one day (nearly everyone in a POS batch or an import).

    ``placed``: each order with its local time. The customer's sums are added with the
    change that day makes (``_DayChange``): after their last day, before their first, or
    (an import of old history) between two days they came, which index probes find
    (``_neighbours``); a day already counted changes the sums alone, and a customer
    without a row gets one. Anyone else (several days in one batch) is recomputed, 500
    customers a statement. On PostgreSQL the rows are locked first, in customer order, so
    no other writer changes them between the read and the update.
    """
    sums = _purchases_of(order for order, _ in placed)
    first_at: dict[int, dict[dt.date, dt.datetime]] = defaultdict(dict)
    for order, local in placed:
        days = first_at[order.customer_id]
        day = local.date()
        if day not in days or local < days[day]:
            days[day] = local
    rows = _activity_rows(sorted(first_at))
    recompute = [customer_id for customer_id, days in first_at.items() if len(days) > 1]
    changes: list[_DayChange] = []
    sums_only: list[int] = []  # a day already counted
    firsts: list[list[Any]] = []
    between: list[tuple[_ActivityRow, dt.date, dt.datetime]] = []
    for customer_id, days in first_at.items():
        if len(days) > 1:
            continue
        ((day, at),) = days.items()
        if customer_id not in rows:
            # No row: nothing before (the roll-up's invariant), so this is their first day.
            firsts.append(_first_day_row(customer_id, at, visit=False, bought=sums[customer_id]))
            continue
        row = rows[customer_id]
        if row is None:
            recompute.append(customer_id)  # a row without days: start over
        elif day > row.last_day:
            changes.append(_DayChange.new_day(row, day, at, before=row.last_day, after=None))
        elif day == row.last_day:
            if at < row.last_day_first_at:
                changes.append(_DayChange.earlier(row, day, at, row.last_day_first_at))
            else:
                sums_only.append(customer_id)
        elif day < row.first_day:
            changes.append(_DayChange.new_day(row, day, at, before=None, after=row.first_day))
        else:
            between.append((row, day, at))
    found_around = _neighbours(
        [(row.customer_id, day) for row, day, _ in between], [order for order, _ in placed]
    )
    for row, day, at in between:
        found = found_around[row.customer_id]
        if found.same_day_first is not None:
            if at < found.same_day_first:
                changes.append(_DayChange.earlier(row, day, at, found.same_day_first))
            else:
                sums_only.append(row.customer_id)
        elif found.before is None or found.after is None:
            recompute.append(row.customer_id)  # the row disagrees with the history: start over
        else:
            changes.append(_DayChange.new_day(row, day, at, found.before, found.after))
    ops = connection.ops
    with connection.cursor() as cursor:
        if changes:
            cursor.executemany(
                _sums_update(DAY_CHANGE),
                [_sums_params(sums[c.customer_id], ops) + c.params(ops) for c in changes],
            )
        if sums_only:
            cursor.executemany(
                _sums_update(""),
                [[*_sums_params(sums[pk], ops), pk] for pk in sums_only],
            )
        if firsts:
            cursor.executemany(FIRST_DAY_INSERT, firsts)
            if cursor.rowcount != len(firsts):  # a concurrent writer made some first
                recompute += [row[0] for row in firsts]
    activity_refresh(recompute)


_SUMS_ADDED = (
    "revenue = revenue + %s, profit = profit + %s, order_count = order_count + %s, "
    "first_purchase_at = COALESCE({least}(first_purchase_at, %s), %s), "
    "last_purchase_at = COALESCE({greatest}(last_purchase_at, %s), %s)"
)  # the parameters: _sums_params


def _least_greatest() -> dict[str, str]:
    if connection.vendor == "sqlite":
        return {"least": "MIN", "greatest": "MAX"}
    return {"least": "LEAST", "greatest": "GREATEST"}


def _sums_update(more: str) -> str:
    """An update adding a customer's new purchases (``_sums_params``), and ``more``."""
    sums = _SUMS_ADDED.format(**_least_greatest())
    return (
        f"UPDATE {ACTIVITY} SET {sums}{', ' + more if more else ''} "  # noqa: S608
        "WHERE customer_id = %s"
    )


def _sums_params(bought: Purchases, ops: Any) -> list[Any]:
    first = ops.adapt_datetimefield_value(bought.first_at)
    last = ops.adapt_datetimefield_value(bought.last_at)
    return [bought.revenue, bought.profit, bought.orders, first, first, last, last]


class _ActivityRow(NamedTuple):
    customer_id: int
    first_day: dt.date
    last_day: dt.date
    last_day_first_at: dt.datetime


def _activity_rows(customer_ids: list[int]) -> dict[int, _ActivityRow | None]:
    """These customers' bounds, for those who have a row (None for a row without days,
    which the roll-ups never leave), locked on PostgreSQL in id order."""
    lock = " ORDER BY customer_id FOR UPDATE" if connection.vendor == "postgresql" else ""
    found = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_ActivityRow._fields)} FROM {ACTIVITY} "  # noqa: S608
                f"WHERE customer_id IN ({', '.join(['%s'] * len(chunk))}){lock}",
                chunk,
            )
            for values in cursor.fetchall():
                row = python_values(CustomerActivity, _ActivityRow._fields, values)
                found[row[0]] = None if None in row else _ActivityRow(*row)
    return found


class _DayChange(NamedTuple):
    """What one order's day changes in a customer's row: new figures for the bounds,
    amounts to add to the rest (``COUNTER_COLUMNS`` in order)."""

    customer_id: int
    days: int
    first_day: dt.date
    last_day: dt.date
    last_day_first_at: dt.datetime
    gap_squares: int
    counters: list[int]

    @classmethod
    def new_day(
        cls,
        row: _ActivityRow,
        day: dt.date,
        at: dt.datetime,
        before: dt.date | None,
        after: dt.date | None,
    ) -> "_DayChange":
        """A day they had not come on, between the days ``before`` and ``after`` (None at
        either end): the gap between those two becomes two gaps."""
        squares = 0
        if before is not None:
            squares += (day - before).days ** 2
        if after is not None:
            squares += (after - day).days ** 2
        if before is not None and after is not None:
            squares -= (after - before).days ** 2
        latest = day > row.last_day
        return cls(
            row.customer_id,
            1,
            min(row.first_day, day),
            day if latest else row.last_day,
            at if latest else row.last_day_first_at,
            squares,
            _counters(day, at),
        )

    @classmethod
    def earlier(
        cls, row: _ActivityRow, day: dt.date, at: dt.datetime, was: dt.datetime
    ) -> "_DayChange":
        """A day they had come on, now first at ``at``, earlier than ``was``: the day's hour
        moves."""
        moved = [
            now - then for now, then in zip(_counters(day, at), _counters(day, was), strict=True)
        ]
        return cls(
            row.customer_id,
            0,
            row.first_day,
            row.last_day,
            at if day == row.last_day else row.last_day_first_at,
            0,
            moved,
        )

    def params(self, ops: Any) -> list[Any]:
        """``DAY_CHANGE``'s parameters and the customer's id (``ops``: the connection's,
        looked up once a batch)."""
        return [
            self.days, ops.adapt_datefield_value(self.first_day),
            ops.adapt_datefield_value(self.last_day),
            ops.adapt_datetimefield_value(self.last_day_first_at), self.gap_squares,
            *self.counters, self.customer_id,
        ]  # fmt: skip


DAY_CHANGE = (
    "days = days + %s, first_day = %s, last_day = %s, last_day_first_at = %s, "
    "gap_squares = gap_squares + %s, "
    + ", ".join(f"{column} = {column} + %s" for column in COUNTER_COLUMNS)
)


FIRST_DAY_INSERT = (
    f"INSERT INTO {ACTIVITY} ({', '.join(ACTIVITY_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(ACTIVITY_COLUMNS))}) ON CONFLICT (customer_id) DO NOTHING"
)


def _first_day_row(
    customer_id: int, at: dt.datetime, *, visit: bool, bought: Purchases | None = None
) -> list:
    """A customer's first day, begun by a visit or orders (``bought``) at ``at`` (in the
    order of ``ACTIVITY_COLUMNS``)."""
    day = local_date(at)
    visited = _when(at) if visit else None
    counters = _counters(day, at)
    purchases: list[Any] = [0, 0, 0, None, None]
    if bought is not None:
        purchases = [bought.revenue, bought.profit, bought.orders, _when(bought.first_at),
                     _when(bought.last_at)]  # fmt: skip
    return [customer_id, *purchases, int(visit), visited, visited, 1, _day(day), _day(day),
            _when(at), 0, *counters]  # fmt: skip


def _counters(day: dt.date, at: dt.datetime) -> list[int]:
    """The weekday and hour counters of one new day (``COUNTER_COLUMNS``); ``at`` in local
    time, or converted."""
    if at.tzinfo is not sql.zone():
        at = at.astimezone(sql.zone())
    counters = [0] * len(COUNTER_COLUMNS)
    counters[day.weekday()] = 1
    counters[len(WEEKDAYS) + at.hour] = 1
    return counters


class _Found(NamedTuple):
    before: dt.date | None  # the last day they came before the day
    after: dt.date | None  # the first day they came after it
    same_day_first: dt.datetime | None  # when they first came that day, if they did


def _neighbours(wanted: list[tuple[int, dt.date]], batch: Sequence[Order]) -> dict[int, _Found]:
    """For each (customer, day), by customer: the days they came just before and after that
    day, and whether (and when first) they came on it, not counting the batch's own
    orders (``batch``). Six probes a customer, each one seek in an index on (customer,
    time): paid orders, and visits (their partial index)."""
    found = {}
    for start in range(0, len(wanted), 300):
        chunk = wanted[start : start + 300]
        customers = {customer_id for customer_id, _ in chunk}
        batch_ids = [order.pk for order in batch if order.customer_id in customers]
        params: list[Any] = []
        for customer_id, day in chunk:
            day_start, day_end = day_bounds(day)
            params += [customer_id, _when(day_start), _when(day_end)]
        with connection.cursor() as cursor:
            cursor.execute(_neighbours_sql(len(chunk), len(batch_ids)), [*params, *batch_ids])
            for customer_id, *values in cursor.fetchall():
                moments = python_values(Order, ["ordered_at"] * 6, values)
                before = [m for m in (moments[0], moments[3]) if m is not None]
                after = [m for m in (moments[1], moments[4]) if m is not None]
                same = [m for m in (moments[2], moments[5]) if m is not None]
                found[customer_id] = _Found(
                    local_date(max(before)) if before else None,
                    local_date(min(after)) if after else None,
                    min(same) if same else None,
                )
    return found


def _neighbours_sql(wanted: int, excluded: int) -> str:
    moment = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join([f"(%s, {moment}, {moment})"] * wanted)
    not_batch = f"id NOT IN ({', '.join(['%s'] * excluded)})" if excluded else "1 = 1"
    orders = (
        f"FROM {Order._meta.db_table} WHERE customer_id = wanted.customer_id "
        f"AND status = '{Order.Status.PAID}'"
    )
    # The literal kind, so SQLite can use the partial index of visits.
    visits = (
        f"FROM {Interaction._meta.db_table} WHERE customer_id = wanted.customer_id "
        f"AND kind = '{Interaction.Kind.VISIT}'"
    )
    # The batch's ids appear once, in the third probe (its placeholders come last).
    return f"""
        WITH wanted (customer_id, day_start, day_end) AS (VALUES {values})
        SELECT customer_id,
            (SELECT MAX(ordered_at) {orders} AND ordered_at < wanted.day_start),
            (SELECT MIN(ordered_at) {orders} AND ordered_at >= wanted.day_end),
            (SELECT MIN(ordered_at) {orders} AND ordered_at >= wanted.day_start
                AND ordered_at < wanted.day_end AND {not_batch}),
            (SELECT MAX(occurred_at) {visits} AND occurred_at < wanted.day_start),
            (SELECT MIN(occurred_at) {visits} AND occurred_at >= wanted.day_end),
            (SELECT MIN(occurred_at) {visits} AND occurred_at >= wanted.day_start
                AND occurred_at < wanted.day_end)
        FROM wanted
    """  # noqa: S608 - no input in the names


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
