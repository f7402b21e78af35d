"""Similar products: the item-to-item affinity table, rebuilt whole from paid orders.

A customer "bought" a product when a paid order of theirs has a non-refund line for it.
Two products are similar when many of the same customers bought both (cosine of their
buyer sets); each product keeps its 20 best partners. The rebuild is a job run by the
worker (``tasks.affinities_refresh``) or by ``samphan suggestions_rebuild``; order writes
decide when it is due (``services.suggestions``).
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Max
from django.utils import timezone

from samphan.sales.models import Order, OrderLine, ProductAffinity, SuggestionState

TOP_PER_PRODUCT = 20
MIN_TOGETHER = 2  # one shared customer is a coincidence, not a pattern
MIN_NEW_ORDERS = 50
GROWTH_PERCENT = 5

ORDERS = Order._meta.db_table
ORDER_LINES = OrderLine._meta.db_table
AFFINITIES = ProductAffinity._meta.db_table
NEXT = f"{AFFINITIES}_next"  # the rebuild's temporary table

# Distinct (customer, product) purchases, joined with themselves on the customer: every
# pair of products one customer bought. Pairs are counted once (product < other) and then
# turned both ways, which halves the biggest GROUP BY. The scores are cast to floating
# point so neither database divides integers.
# The result goes to a temporary table, private to the connection, and is then swapped in.
AFFINITY_COMPUTE = f"""
    CREATE TEMPORARY TABLE {NEXT} AS
    WITH bought AS (
        SELECT DISTINCT o.customer_id, l.product_id
        FROM {ORDER_LINES} l JOIN {ORDERS} o ON o.id = l.order_id
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
"""  # noqa: S608 - joins the table names above
AFFINITY_SWAP = f"""
    INSERT INTO {AFFINITIES} (product_id, other_id, together, score, lift)
    SELECT product_id, other_id, together, score, lift FROM {NEXT}
"""  # noqa: S608 - joins the table names above
DROP_NEXT = f"DROP TABLE IF EXISTS {NEXT}"


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


def _affinities_swap(cursor: CursorWrapper) -> int:
    # Locking the state row makes two swaps (two workers) run one after the other.
    SuggestionState.objects.select_for_update().get_or_create(pk=1)
    ProductAffinity.objects.all().delete()
    cursor.execute(AFFINITY_SWAP)
    swapped: int = cursor.rowcount
    return swapped
