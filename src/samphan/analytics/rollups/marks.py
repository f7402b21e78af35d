"""Per customer (``PurchaseMarks``): the moments of their paid orders the funnel reads.

A customer's row is recomputed from their paid orders in one set-based statement (the
same one that rebuilds every customer): a new order upserts it, a batch, a cancellation or
a merge deletes and inserts its customers' rows. One customer's orders are few and found
by the index on ``customer_id``, so a recount costs one statement.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection

from samphan.analytics.models import PurchaseMarks
from samphan.analytics.rollups.common import ORDERS
from samphan.core import sql
from samphan.sales.models import Order

MARKS = PurchaseMarks._meta.db_table
MARKS_COLUMNS = [
    "customer_id", "first_at", "first_channel", "second_at", "next_at", "penult_at", "last_at",
    "repeat_seconds",
]  # fmt: skip
# One row per customer with paid orders that pass ``where`` (a condition on
# ``customer_id``), its columns in the order of ``MARKS_COLUMNS``; ``{seconds}``: the
# dialect's seconds from the first moment to the next. Orders at the same moment are told
# apart by id: the lowest is the first (its channel is the first's).
MARKS_SELECT = f"""
    WITH paid AS (
        SELECT customer_id, ordered_at, channel,
            ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at, id) AS up,
            ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at DESC, id DESC)
                AS down,
            MIN(ordered_at) OVER (PARTITION BY customer_id) AS first_at
        FROM {ORDERS} WHERE status = '{Order.Status.PAID}' AND {{where}}
    ),
    marks AS (
        SELECT customer_id, MIN(ordered_at) AS first_at,
            MAX(CASE WHEN up = 1 THEN channel END) AS first_channel,
            MAX(CASE WHEN up = 2 THEN ordered_at END) AS second_at,
            MIN(CASE WHEN ordered_at > first_at THEN ordered_at END) AS next_at,
            MAX(CASE WHEN down = 2 THEN ordered_at END) AS penult_at, MAX(ordered_at) AS last_at
        FROM paid GROUP BY customer_id
    )
    SELECT marks.*, {{seconds}} FROM marks
"""  # noqa: S608 - the table's name and a choice
MARKS_INSERT = f"INSERT INTO {MARKS} ({', '.join(MARKS_COLUMNS)}) "
MARKS_DELETE = "DELETE FROM " + MARKS + " WHERE {where}"  # noqa: S608 - the table's name
# "WHERE true": SQLite's parser would read the ON of ON CONFLICT as a join's.
MARKS_RECOUNT = (
    MARKS_INSERT  # noqa: S608 - constants
    + "SELECT * FROM ({select}) AS fresh WHERE true ON CONFLICT (customer_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in MARKS_COLUMNS[1:])
)


def marks_select(where: str) -> str:
    """``MARKS_SELECT`` in the dialect in use."""
    seconds = sql.pick(
        postgresql="EXTRACT(EPOCH FROM next_at - first_at)",
        sqlite="(julianday(next_at) - julianday(first_at)) * 86400.0",
    )
    return MARKS_SELECT.format(where=where, seconds=seconds)


def marks_recount_sql() -> str:
    """One customer's marks upserted (the customer: the one parameter)."""
    return MARKS_RECOUNT.format(select=marks_select("customer_id = %s"))


def _insert(where: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(MARKS_INSERT + marks_select(where), params)
        return int(cursor.rowcount)


def marks_recount(customer_id: int) -> None:
    """One customer who has just bought (so has a row to write): one upsert."""
    with connection.cursor() as cursor:
        cursor.execute(marks_recount_sql(), [customer_id])


def marks_refresh(customer_ids: Iterable[int]) -> None:
    """Recompute these customers' marks (a customer left without paid orders loses it)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        names = {f"c{index}": pk for index, pk in enumerate(ids[start : start + 500])}
        where = f"customer_id IN ({', '.join(f'%({name})s' for name in names)})"
        with connection.cursor() as cursor:
            cursor.execute(MARKS_DELETE.format(where=where), names)
        _insert(where, names)


def marks_fill(*, from_customer_id: int) -> int:
    """Marks for the customers from this id on (after the demo wrote them directly)."""
    where = "customer_id >= %(first)s"
    with connection.cursor() as cursor:
        cursor.execute(MARKS_DELETE.format(where=where), {"first": from_customer_id})
    return _insert(where, {"first": from_customer_id})


def marks_rebuild() -> int:
    with connection.cursor() as cursor:
        cursor.execute(MARKS_DELETE.format(where="1 = 1"))
    return _insert("1 = 1", {})
