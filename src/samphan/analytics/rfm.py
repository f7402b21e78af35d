"""RFM: recency, frequency and monetary scores for every customer who has bought, and the
standard segments they fall in.

Each score is 1 + ⌊5 × b / N⌋, with b the number of customers strictly below and N all the
customers scored: quintiles of the customers, so with no ties each score holds a fifth of
them (ten customers score 1, 1, 2, 2, 3, 3, 4, 4, 5, 5), and the top is 5 without a cap.
Not b / (N − 1) (SQL's PERCENT_RANK): that gives the single best a 6, cut to 5, and
shifts the upper scores (seven customers would score 1, 1, 2, 3, 4, 5, 5 instead of 1,
1, 2, 3, 3, 4, 5). Customers with the same value share a score, the lowest value scores
1, and the split follows the data (when most customers bought once, they all score F = 1). Recency is scored on the last
purchase (later is better), frequency on the number of paid orders, money on revenue.
One set-based statement over the sales roll-up replaces every row.
"""

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.tasks import task
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.models import CustomerActivity, CustomerRFM, RFMSegment, RFMState
from samphan.core.money import to_baht
from samphan.customers.models import Customer
from samphan.sales.models import ZERO

STALE_AFTER = dt.timedelta(hours=24)  # recency moves with the calendar: once a day
QUEUED_GIVE_UP = dt.timedelta(hours=1)

# (segment, recency scores, FM scores): the first rule that matches wins; every one of
# the 25 (R, FM) pairs matches one.
RULES = [
    (RFMSegment.CHAMPIONS, (4, 5), (4, 5)),
    (RFMSegment.CANT_LOSE, (1, 2), (5,)),
    (RFMSegment.AT_RISK, (1, 2), (3, 4)),
    (RFMSegment.NEED_ATTENTION, (3,), (3,)),
    (RFMSegment.LOYAL, (3, 4, 5), (3, 4, 5)),
    (RFMSegment.POTENTIAL_LOYALIST, (4, 5), (2,)),
    (RFMSegment.NEW, (5,), (1,)),
    (RFMSegment.PROMISING, (4,), (1,)),
    (RFMSegment.ABOUT_TO_SLEEP, (3,), (1, 2)),
    (RFMSegment.HIBERNATING, (2,), (1, 2)),
    (RFMSegment.LOST, (1,), (1, 2)),
]


def segment_of(recency: int, frequency: int, monetary: int) -> str:
    fm = round((frequency + monetary) / 2 + 1e-9)  # 2.5 rounds up
    for segment, recencies, fms in RULES:
        if recency in recencies and fm in fms:
            return segment
    raise ValueError((recency, frequency, monetary))


def _score(column: str) -> str:
    # RANK() − 1 is how many are strictly below (ties share the lowest rank); integer
    # division is the floor, exactly, on both databases.
    return f"1 + 5 * (RANK() OVER (ORDER BY {column}) - 1) / COUNT(*) OVER ()"


def _segment_case() -> str:
    fm = "CAST((frequency + monetary + 1) / 2 AS integer)"  # integer halves round up
    cases = [
        f"WHEN recency IN ({', '.join(map(str, rs))}) AND {fm} IN ({', '.join(map(str, fs))}) "
        f"THEN '{segment.value}'"
        for segment, rs, fs in RULES
    ]
    return f"CASE {' '.join(cases)} END"


RFM_TABLE = CustomerRFM._meta.db_table
RFM_DELETE = f"DELETE FROM {RFM_TABLE}"  # noqa: S608 - the model's table
# Every buyer in the sales roll-up scored and placed in a segment, in one statement.
RFM_INSERT = f"""
    INSERT INTO {RFM_TABLE} (customer_id, recency, frequency, monetary, segment)
    SELECT customer_id, recency, frequency, monetary, {_segment_case()}
    FROM (
        SELECT customer_id,
            {_score("last_purchase_at")} AS recency,
            {_score("order_count")} AS frequency,
            {_score("revenue")} AS monetary
        FROM {CustomerActivity._meta.db_table} WHERE order_count > 0
    ) AS scored
"""  # noqa: S608 - the models' tables, the column names and the segment rules


def rfm_rebuild() -> int:
    """Score every customer with a paid order; returns how many."""
    started = time.perf_counter()
    with transaction.atomic():
        RFMState.objects.select_for_update().get_or_create(pk=1)
        with connection.cursor() as cursor:
            cursor.execute(RFM_DELETE)
            cursor.execute(RFM_INSERT)
        customers = CustomerRFM.objects.count()
        RFMState.objects.filter(pk=1).update(
            computed_at=timezone.now(),
            queued_at=None,
            customers=customers,
            seconds=round(time.perf_counter() - started, 2),
        )
    return customers


ACTIVITY_TABLE = CustomerActivity._meta.db_table
# A few customers scored as the rebuild would score them today: for each, how many buyers
# are strictly below on each measure, and how many buyers there are. {ids}: a %s each.
RFM_RANKS = f"""
    SELECT a.customer_id,
        (SELECT COUNT(*) FROM {ACTIVITY_TABLE} b
            WHERE b.order_count > 0 AND b.last_purchase_at < a.last_purchase_at),
        (SELECT COUNT(*) FROM {ACTIVITY_TABLE} b
            WHERE b.order_count > 0 AND b.order_count < a.order_count),
        (SELECT COUNT(*) FROM {ACTIVITY_TABLE} b WHERE b.order_count > 0 AND b.revenue < a.revenue),
        (SELECT COUNT(*) FROM {ACTIVITY_TABLE} b WHERE b.order_count > 0)
    FROM {ACTIVITY_TABLE} a WHERE a.order_count > 0 AND a.customer_id IN ({{ids}})
"""  # noqa: S608 - the model's table; the ids are parameters


def rfm_rescore(customer_ids: list[int]) -> None:
    """Score these customers again, exactly as ``rfm_rebuild`` would now, after their
    purchases moved between them (a merge, its undo): one who bought nothing has no row.
    The others keep the day's scores (they move by a place at most at a quintile's edge
    until the daily rebuild). Nothing while the scores were never computed."""
    ids = sorted(set(customer_ids))
    if not ids or not CustomerRFM.objects.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(RFM_RANKS.format(ids=", ".join(["%s"] * len(ids))), ids)
        ranks = cursor.fetchall()
    CustomerRFM.objects.filter(customer_id__in=ids).delete()
    rows = []
    for pk, *below, buyers in ranks:
        recency, frequency, monetary = (1 + 5 * b // buyers for b in below)
        segment = segment_of(recency, frequency, monetary)
        rows.append(CustomerRFM(customer_id=pk, recency=recency, frequency=frequency,
                                monetary=monetary, segment=segment))  # fmt: skip
    CustomerRFM.objects.bulk_create(rows)


def rfm_refresh_if_stale() -> bool:
    """Enqueue a rebuild when the scores are a day old (pages call this); at most once."""
    now = timezone.now()
    state, _ = RFMState.objects.get_or_create(pk=1)
    if state.computed_at and now - state.computed_at < STALE_AFTER:
        return False
    claimed = (
        RFMState.objects.filter(pk=1)
        .exclude(queued_at__gt=now - QUEUED_GIVE_UP)
        .update(queued_at=now)
    )
    if claimed:
        transaction.on_commit(_enqueue, robust=True)
    return bool(claimed)


def _enqueue() -> None:
    rfm_refresh.enqueue()


@task()
def rfm_refresh() -> int:
    """Recompute every customer's RFM scores; enqueued once a day by the pages that show
    them. Safe to run twice."""
    return rfm_rebuild()


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    label: str
    customers: int
    revenue: Decimal
    share_of_customers: float
    share_of_revenue: float


def segment_summary(user: User, within: QuerySet[Customer] | None = None) -> list[SegmentRow]:
    """Customers and lifetime revenue per segment, of the customers the user may see (of
    ``within``, already limited to those, when given: a saved segment's)."""
    of: QuerySet[Customer] = within if within is not None else Customer.objects.visible_to(user)
    visible = of.values("pk")
    rows = (
        CustomerRFM.objects.filter(customer__in=visible)
        .values("segment")
        .annotate(customers=Count("customer_id"), revenue=Sum("customer__activity__revenue"))
        .order_by()
    )
    # Money to the satang: SQLite's decimal sum comes back with seven places.
    counts: dict[str, tuple[int, Decimal]] = {
        row["segment"]: (row["customers"], to_baht(row["revenue"] or ZERO)) for row in rows
    }
    total_customers = sum(count for count, _ in counts.values())
    total_revenue = sum((revenue for _, revenue in counts.values()), ZERO)
    result = []
    for segment in RFMSegment:
        customers, revenue = counts.get(segment.value, (0, ZERO))
        result.append(
            SegmentRow(
                segment=segment.value,
                label=str(segment.label),
                customers=customers,
                revenue=revenue,
                share_of_customers=round(customers / total_customers, 4)
                if total_customers
                else 0.0,
                share_of_revenue=round(float(revenue / total_revenue), 4) if total_revenue else 0.0,
            )
        )
    return result
