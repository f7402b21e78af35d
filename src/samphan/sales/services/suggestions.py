"""Similar products: the item-to-item affinity table, rebuilt whole from paid orders.

A customer "bought" a product when a paid order of theirs has a non-refund line for it.
Two products are similar when many of the same customers bought both (cosine of their
buyer sets); each product keeps its 20 best partners. Order writes enqueue a rebuild once
the orders recorded since the last one pass 5% of the paid orders then (at least 50): the
check compares the new order's id with a stored one, so it costs one primary-key read.
"""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from samphan.sales.models import Order, ProductAffinity, SuggestionState

TOP_PER_PRODUCT = 20
MIN_TOGETHER = 2  # one shared customer is a coincidence, not a pattern
MIN_NEW_ORDERS = 50
GROWTH_PERCENT = 5
# A rebuild queued this long ago that has not run (a stopped worker) may be queued again.
QUEUED_GIVE_UP = dt.timedelta(hours=1)

# Distinct (customer, product) purchases, joined with themselves on the customer: every
# pair of products one customer bought. Pairs are counted once (product < other) and then
# turned both ways, which halves the biggest GROUP BY. The scores are cast to floating
# point so neither database divides integers.
# The result goes to a temporary table, private to the connection, and is then swapped in.
AFFINITY_COMPUTE = """
    CREATE TEMPORARY TABLE sales_productaffinity_next AS
    WITH bought AS (
        SELECT DISTINCT o.customer_id, l.product_id
        FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id
        WHERE o.status = %(paid)s AND l.is_refund = %(refund)s
    ),
    buyers AS (SELECT product_id, COUNT(*) AS n FROM bought GROUP BY product_id),
    everyone AS (SELECT COUNT(DISTINCT customer_id) AS n FROM bought),
    pairs AS (
        SELECT a.product_id AS first_id, b.product_id AS second_id, COUNT(*) AS together
        FROM bought a JOIN bought b
            ON b.customer_id = a.customer_id AND b.product_id > a.product_id
        GROUP BY a.product_id, b.product_id
        HAVING COUNT(*) >= %(min_together)s
    ),
    both_ways AS (
        SELECT first_id AS product_id, second_id AS other_id, together FROM pairs
        UNION ALL
        SELECT second_id, first_id, together FROM pairs
    ),
    scored AS (
        SELECT w.product_id, w.other_id, w.together,
            CAST(w.together AS DOUBLE PRECISION) / SQRT(CAST(x.n AS DOUBLE PRECISION) * y.n)
                AS score,
            CAST(w.together AS DOUBLE PRECISION) * e.n / (CAST(x.n AS DOUBLE PRECISION) * y.n)
                AS lift
        FROM both_ways w
        JOIN buyers x ON x.product_id = w.product_id
        JOIN buyers y ON y.product_id = w.other_id
        CROSS JOIN everyone e
    ),
    ranked AS (
        SELECT product_id, other_id, together, score, lift, ROW_NUMBER() OVER (
            PARTITION BY product_id ORDER BY score DESC, together DESC, other_id
        ) AS place
        FROM scored
    )
    SELECT product_id, other_id, together, score, lift FROM ranked WHERE place <= %(top)s
"""
AFFINITY_SWAP = """
    INSERT INTO sales_productaffinity (product_id, other_id, together, score, lift)
    SELECT product_id, other_id, together, score, lift FROM sales_productaffinity_next
"""
DROP_NEXT = "DROP TABLE IF EXISTS sales_productaffinity_next"


@dataclass(frozen=True)
class Rebuild:
    pairs: int
    paid_orders: int
    seconds: float


def rebuild_due_after(*, last_order_id: int, paid_orders: int) -> int:
    """The order id past which enough new orders have come in to rebuild again."""
    return last_order_id + max(MIN_NEW_ORDERS, paid_orders * GROWTH_PERCENT // 100)


def affinities_rebuild() -> Rebuild:
    """Recompute the whole affinity table; safe to run twice.

    The pairs are computed into a temporary table first, outside any transaction, so that
    on SQLite (one writer at a time) order writes wait only for the swap, not the GROUP BY.
    The swap runs in one transaction: readers see the old table until the commit.
    """
    started = time.perf_counter()
    # Read before computing: orders that come in meanwhile count towards the next rebuild.
    last_order_id = Order.objects.aggregate(last=Max("id"))["last"] or 0
    paid_orders = Order.objects.counted().count()
    params: dict[str, str | int | bool] = {
        "paid": Order.Status.PAID,
        "refund": False,
        "min_together": MIN_TOGETHER,
        "top": TOP_PER_PRODUCT,
    }
    with connection.cursor() as cursor:
        cursor.execute(DROP_NEXT)  # left over by a rebuild that died on this connection
        cursor.execute(AFFINITY_COMPUTE, params)
        try:
            with transaction.atomic():
                pairs = _affinities_swap(cursor)
                seconds = time.perf_counter() - started
                SuggestionState.objects.filter(pk=1).update(
                    computed_at=timezone.now(),
                    paid_orders=paid_orders,
                    due_after_order=rebuild_due_after(
                        last_order_id=last_order_id, paid_orders=paid_orders
                    ),
                    queued_at=None,
                    pairs=pairs,
                    seconds=seconds,
                )
        finally:
            cursor.execute(DROP_NEXT)
    return Rebuild(pairs=pairs, paid_orders=paid_orders, seconds=seconds)


def _affinities_swap(cursor: Any) -> int:
    # Locking the state row makes two swaps (two workers) run one after the other.
    SuggestionState.objects.select_for_update().get_or_create(pk=1)
    ProductAffinity.objects.all().delete()
    cursor.execute(AFFINITY_SWAP)
    return cursor.rowcount


def affinities_refresh_if_due(order_id: int) -> bool:
    """Called by order writes inside their transaction: enqueue a rebuild after the commit
    when the new order's id is past the due one, at most once until it has run.

    Plain SQL: it runs for every order recorded, and the ORM's compiling of these two
    statements cost more than the rest of writing an order (0.5 ms against 0.05 ms).
    """
    table = SuggestionState._meta.db_table
    now = timezone.now()
    give_up = _when(now - QUEUED_GIVE_UP)
    with connection.cursor() as cursor:
        # Whether a rebuild is queued already is read too: while one waits for a worker,
        # every order is one read, not a read and an update that changes nothing.
        cursor.execute(
            f"SELECT due_after_order, queued_at IS NOT NULL AND queued_at > %s "  # noqa: S608
            f"FROM {table} WHERE id = 1",
            [give_up],
        )
        row = cursor.fetchone()
        if order_id <= (MIN_NEW_ORDERS if row is None else row[0]) or (row and row[1]):
            return False
        if row is None:
            SuggestionState.objects.get_or_create(pk=1)
        # Claim with a conditional UPDATE: of two writers past the mark, one enqueues.
        cursor.execute(
            f"UPDATE {table} SET queued_at = %s WHERE id = 1 AND due_after_order < %s "  # noqa: S608
            "AND (queued_at IS NULL OR queued_at <= %s)",
            [_when(now), order_id, give_up],
        )
        claimed = cursor.rowcount > 0
    if claimed:
        transaction.on_commit(_enqueue_rebuild, robust=True)
    return claimed


def _when(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _enqueue_rebuild() -> None:
    from samphan.sales.tasks import affinities_refresh  # the task module imports this one

    affinities_refresh.enqueue()
