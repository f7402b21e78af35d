"""For segments (marketing): who matches, as subqueries of customer ids."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from samphan.analytics import columns
from samphan.analytics.models import (
    USUAL_SHARE,
    WEEKDAYS,
    CustomerActivity,
    CustomerRFM,
)
from samphan.core import sql


def usual_weekday_customer_ids(weekdays: list[int]) -> QuerySet[Any]:
    """Customers who usually come on one of ``weekdays`` (Monday = 0), by the same test
    as their cadence panel, kept in their roll-up's ``usual_weekdays`` bits: each bit
    pattern a customer can have that holds one of these weekdays, looked up in its index.
    A customer has at most two usual weekdays (each holds 40% of the days): listing only
    those patterns (7 for one weekday, not 64) is what lets SQLite choose the index."""
    chosen = sum(1 << day for day in set(weekdays))
    most = int(1 / USUAL_SHARE)
    patterns = [
        bits for bits in range(1, 1 << len(WEEKDAYS)) if bits & chosen and bits.bit_count() <= most
    ]
    return CustomerActivity.objects.filter(usual_weekdays__in=patterns).values("customer_id")


def rfm_segment_customer_ids(segments: list[str]) -> QuerySet[Any]:
    return CustomerRFM.objects.filter(segment__in=segments).values("customer_id")


def period_buyer_ids(
    since: dt.datetime,
    *,
    measure: str,
    at_least: Decimal | None = None,
    above: Decimal | None = None,
    table: str,
) -> tuple[str, list[Any]] | None:
    """Customers whose paid orders since ``since`` sum (``measure`` "revenue") or count
    ("orders") to ``at_least`` or more / more than ``above``, from the process's columns
    (a ``bincount`` instead of grouping the period's orders by customer in SQL, slow at a
    million customers on SQLite: docs/performance.md). Returns the SQL that selects their ids and its
    parameters, or None while the columns cannot be used (inside a transaction, or
    loading): then the caller asks the orders by SQL.

    PostgreSQL takes the ids as one array parameter; SQLite, which has no arrays, reads
    them from the temporary table ``table`` of this connection (on PostgreSQL a temporary
    table is slow to fill at a million customers, and a query that reads one cannot run
    in parallel)."""
    if not columns.usable():
        return None
    copy = columns.paid_orders()
    if copy is None:
        return None
    sums = columns.per_customer(copy, since, None)
    figure = sums.revenue if measure == "revenue" else sums.orders.astype(float)
    # Sums of two-decimal amounts in floating point: half a satang either way is exact.
    if at_least is not None:
        chosen = sums.customer[figure >= float(at_least) - 0.005]
    else:
        chosen = sums.customer[figure > float(above or 0) + 0.005]
    ids = chosen.tolist()
    if sql.is_postgresql():
        # One array parameter (``core.sql.id_rows``), not a temporary table.
        return sql.id_rows(), [sql.id_rows_param(ids)]
    with connection.cursor() as cursor:
        # The id as the rowid: one B-tree to fill, not a table and its index.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (customer_id INTEGER PRIMARY KEY)"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the caller's table name
        # One statement for all the ids (from one JSON parameter): a row at a time
        # (executemany, each its own implicit transaction) was far slower.
        cursor.execute(
            f"INSERT INTO {table} {sql.id_rows()}",
            [sql.id_rows_param(ids)],
        )
    return f"SELECT customer_id FROM {table}", []  # noqa: S608 - the caller's table name
