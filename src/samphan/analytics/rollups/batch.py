"""New paid orders in bulk (a POS batch, an import): summed per customer, day and hour."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations

from samphan.analytics.models import CustomerActivity
from samphan.analytics.rollups.activity import (
    FIRST_DAY_INSERT,
    activity_refresh,
    counters_of,
    first_day_row,
    purchases_of,
    sums_params,
    sums_update,
)
from samphan.analytics.rollups.common import (
    ACTIVITY,
    COUNTER_COLUMNS,
    INTERACTIONS,
    ORDERS,
    day_bounds,
    local_date,
    when_param,
)
from samphan.analytics.rollups.daily import DAILY_UPSERT
from samphan.analytics.rollups.hourly import HOURLY_UPSERT
from samphan.core import sql
from samphan.core.bulk import python_values
from samphan.customers.models import Interaction
from samphan.sales.models import ZERO, Order


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
    sums = purchases_of(order for order, _ in placed)
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
            firsts.append(first_day_row(customer_id, at, visit=False, bought=sums[customer_id]))
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
                sums_update(DAY_CHANGE),
                [sums_params(sums[c.customer_id], ops) + c.params(ops) for c in changes],
            )
        if sums_only:
            cursor.executemany(
                sums_update(""),
                [[*sums_params(sums[pk], ops), pk] for pk in sums_only],
            )
        if firsts:
            cursor.executemany(FIRST_DAY_INSERT, firsts)
            if cursor.rowcount != len(firsts):  # a concurrent writer made some first
                recompute += [row[0] for row in firsts]
    activity_refresh(recompute)


class _ActivityRow(NamedTuple):
    customer_id: int
    first_day: dt.date
    last_day: dt.date
    last_day_first_at: dt.datetime


# These customers' bounds (an IN list of ``ids``), and on PostgreSQL their rows locked in
# id order, so no other writer changes them between the read and the update (SQLite locks
# the whole file on write).
ROWS_SELECT = (
    f"SELECT {', '.join(_ActivityRow._fields)} FROM {ACTIVITY} "  # noqa: S608 - constants
    "WHERE customer_id IN ({ids}){lock}"
)
LOCK_IN_ID_ORDER = " ORDER BY customer_id FOR UPDATE"


def _activity_rows(customer_ids: list[int]) -> dict[int, _ActivityRow | None]:
    """These customers' bounds, for those who have a row (None for a row without days,
    which the roll-ups never leave), locked on PostgreSQL in id order."""
    lock = sql.pick(postgresql=LOCK_IN_ID_ORDER, sqlite="")
    found = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        statement = ROWS_SELECT.format(ids=sql.placeholders(len(chunk)), lock=lock)
        with connection.cursor() as cursor:
            cursor.execute(statement, chunk)
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
            counters_of(day, at),
        )

    @classmethod
    def earlier(
        cls, row: _ActivityRow, day: dt.date, at: dt.datetime, was: dt.datetime
    ) -> "_DayChange":
        """A day they had come on, now first at ``at``, earlier than ``was``: the day's hour
        moves."""
        moved = [
            now - then
            for now, then in zip(counters_of(day, at), counters_of(day, was), strict=True)
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

    def params(self, ops: BaseDatabaseOperations) -> list[Any]:
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
            params += [customer_id, when_param(day_start), when_param(day_end)]
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


# The literal status and kind, so SQLite can use the partial index of visits.
PAID_ORDERS_OF_WANTED = (
    f"FROM {ORDERS} WHERE customer_id = wanted.customer_id AND status = '{Order.Status.PAID}'"
)
VISITS_OF_WANTED = (
    f"FROM {INTERACTIONS} WHERE customer_id = wanted.customer_id "
    f"AND kind = '{Interaction.Kind.VISIT}'"
)
# Six probes for each wanted (customer, day start, day end) row; the batch's ids
# (``not_batch``) appear once, in the third probe (its placeholders come last).
NEIGHBOURS = f"""
    WITH wanted (customer_id, day_start, day_end) AS (VALUES {{values}})
    SELECT customer_id,
        (SELECT MAX(ordered_at) {PAID_ORDERS_OF_WANTED} AND ordered_at < wanted.day_start),
        (SELECT MIN(ordered_at) {PAID_ORDERS_OF_WANTED} AND ordered_at >= wanted.day_end),
        (SELECT MIN(ordered_at) {PAID_ORDERS_OF_WANTED} AND ordered_at >= wanted.day_start
            AND ordered_at < wanted.day_end AND {{not_batch}}),
        (SELECT MAX(occurred_at) {VISITS_OF_WANTED} AND occurred_at < wanted.day_start),
        (SELECT MIN(occurred_at) {VISITS_OF_WANTED} AND occurred_at >= wanted.day_end),
        (SELECT MIN(occurred_at) {VISITS_OF_WANTED} AND occurred_at >= wanted.day_start
            AND occurred_at < wanted.day_end)
    FROM wanted
"""  # noqa: S608 - joins the constants above


def _neighbours_sql(wanted: int, excluded: int) -> str:
    """``NEIGHBOURS`` for ``wanted`` rows and ``excluded`` ids of the batch."""
    moment = sql.timestamp_param()
    values = ", ".join([f"(%s, {moment}, {moment})"] * wanted)
    not_batch = f"id NOT IN ({sql.placeholders(excluded)})" if excluded else "1 = 1"
    return NEIGHBOURS.format(values=values, not_batch=not_batch)
