"""The funnel served from the purchase marks (issue 22): its figures on the demo data equal
a recomputation by hand in plain SQL over the raw tables (the medians and the pipeline's
stages in Python over the raw rows), for an admin and for a sales rep
limited to own and team records, over two periods (the module shares one demo load: the
other checks are in test_funnel_fresh.py)."""

import datetime as dt
import statistics

import pytest
from django.db import connection, transaction
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.funnel import by_channel, by_source, lifecycle, pipeline_funnel
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.demo.loader import load_demo
from samphan.sales.models import Lead, Order, Pipeline

LOADED_AT = dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC)
PERIODS = [
    Period(dt.date(2026, 9, 5), dt.date(2026, 12, 3)),  # the last 90 days
    Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),  # a half year
]
LEADS, ORDERS, CUSTOMERS = Lead._meta.db_table, Order._meta.db_table, Customer._meta.db_table


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo load of 1,000 customers for the module (rolled back after it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "now", lambda: LOADED_AT)
            load_demo(customers=1_000, seed=11)
        try:
            admin = User.objects.create_superuser("funnel-admin", password=None)
            rep = User.objects.get(username="sales1")
            yield admin, rep
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _rows(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _scope(user, alias):
    """The rep's records by hand: owned by them or their team's (the admin's: all)."""
    if user.is_superuser:
        return "1 = 1", []
    return f"({alias}.owner_id = %s OR {alias}.team_id = %s)", [user.pk, user.team_id]


def _when(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def hand_lifecycle(user, period):
    """Leads of the period; converted; whose customer's first paid order came on or after
    the lead; who have a second paid order (correlated subqueries over the orders); then
    the count and the median days of each step, in Python."""
    scope, scope_params = _scope(user, "l")
    paid = f"FROM {ORDERS} o WHERE o.customer_id = l.customer_id AND o.status = 'paid'"
    statement = f"""
        SELECT l.status, l.created_at, l.closed_at,
            (SELECT o.ordered_at {paid} ORDER BY o.ordered_at LIMIT 1),
            (SELECT o.ordered_at {paid} ORDER BY o.ordered_at LIMIT 1 OFFSET 1)
        FROM {LEADS} l WHERE l.created_at >= %s AND l.created_at < %s AND {scope}
    """  # noqa: S608 - the tables' names
    rows = [
        [status, *map(_parsed, moments)]
        for status, *moments in _rows(
            statement, [_when(period.start), _when(period.end), *scope_params]
        )
    ]
    converted = [row for row in rows if row[0] == "converted"]
    bought = [row for row in converted if row[3] and row[3] >= row[1]]
    again = [row for row in bought if row[4]]

    def median_days(pairs):
        days = [max((end - start).total_seconds() / 86_400, 0) for start, end in pairs if end]
        return round(statistics.median(days), 1) if days else None

    return [
        (len(rows), None),
        (len(converted), median_days((r[1], r[2]) for r in converted)),
        (len(bought), median_days((r[2] or r[1], r[3]) for r in bought)),
        (len(again), median_days((r[3], r[4]) for r in again)),
    ]


def hand_pipeline(user, pipeline, period):
    """Per open stage and Won: the deals created in the period whose furthest stage (moved
    to, or the current one unless Lost; the first stage otherwise) is at or past it."""
    scope, scope_params = _scope(user, "d")
    stages = {
        pk: (position, outcome)
        for pk, position, outcome in _rows(
            "SELECT id, position, outcome FROM sales_stage WHERE pipeline_id = %s",
            [pipeline.pk],
        )
    }
    deals = _rows(
        f"SELECT d.id, d.stage_id FROM sales_deal d WHERE d.pipeline_id = %s "  # noqa: S608
        f"AND d.created_at >= %s AND d.created_at < %s AND {scope}",
        [pipeline.pk, _when(period.start), _when(period.end), *scope_params],
    )
    open_positions = sorted(p for p, outcome in stages.values() if outcome != "lost")
    furthest = []
    for deal_id, stage_id in deals:
        moved = [
            stages[to][0]
            for (to,) in _rows(
                "SELECT to_stage_id FROM sales_dealstagechange WHERE deal_id = %s", [deal_id]
            )
            if stages[to][1] != "lost"
        ]
        if stages[stage_id][1] != "lost":
            moved.append(stages[stage_id][0])
        furthest.append(max(moved, default=open_positions[0]))
    return [sum(1 for f in furthest if f >= position) for position in open_positions]


def hand_by_source(user, period):
    """Per source: leads, converted, and of the converted those with one and two paid
    orders from the lead's arrival on (counted)."""
    scope, scope_params = _scope(user, "l")
    statement = f"""
        SELECT COALESCE(l.source, ''), COUNT(*),
            SUM(CASE WHEN l.status = 'converted' THEN 1 ELSE 0 END),
            SUM(CASE WHEN l.status = 'converted' AND n >= 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN l.status = 'converted' AND n >= 2 THEN 1 ELSE 0 END)
        FROM (SELECT l.*, (SELECT COUNT(*) FROM {ORDERS} o WHERE o.customer_id = l.customer_id
                AND o.status = 'paid' AND o.ordered_at >= l.created_at) AS n
              FROM {LEADS} l) l
        WHERE l.created_at >= %s AND l.created_at < %s AND {scope}
        GROUP BY COALESCE(l.source, '')
    """  # noqa: S608 - the tables' names
    rows = _rows(statement, [_when(period.start), _when(period.end), *scope_params])
    return sorted((tuple(int(v) for v in row[1:]), row[0]) for row in rows)


def hand_by_channel(user, period):
    """Customers (visible) whose first paid order fell in the period, by the channel of
    the lowest-id order at that moment: how many, how many bought later, the median gap."""
    scope, scope_params = _scope(user, "c")
    statement = f"""
        SELECT c.id,
            (SELECT o.channel FROM {ORDERS} o WHERE o.customer_id = c.id AND o.status = 'paid'
             ORDER BY o.ordered_at, o.id LIMIT 1),
            (SELECT MIN(o.ordered_at) FROM {ORDERS} o WHERE o.customer_id = c.id
             AND o.status = 'paid')
        FROM {CUSTOMERS} c WHERE {scope}
    """  # noqa: S608 - the tables' names
    firsts = {}
    for customer_id, channel, first in _rows(statement, scope_params):
        first = _parsed(first)
        if first is not None and period.start <= first < period.end:
            firsts[customer_id] = (channel, first)
    groups = {}
    for customer_id, (channel, first) in firsts.items():
        later = _rows(
            f"SELECT MIN(ordered_at) FROM {ORDERS} WHERE customer_id = %s "  # noqa: S608
            "AND status = 'paid' AND ordered_at > %s",
            [customer_id, _when(first)],
        )[0][0]
        gap = None if later is None else (_parsed(later) - first).total_seconds() / 86_400
        groups.setdefault(channel, []).append(gap)
    result = []
    for channel, gaps in groups.items():
        present = [gap for gap in gaps if gap is not None]
        median = round(statistics.median(present), 1) if present else None
        result.append((channel, len(gaps), len(present), median))
    return sorted(result, key=lambda row: (-row[1], row[0]))


def _parsed(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)  # SQLite's text


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "rep"])
@pytest.mark.parametrize("period", PERIODS, ids=["last_90", "half_year"])
def test_the_funnel_equals_a_recount_by_hand(demo, who, period):
    admin, rep = demo
    user = admin if who == "admin" else rep
    steps = [step.count for step in lifecycle(user, period)]
    by_hand = hand_lifecycle(user, period)
    assert [(s.count, s.median_days) for s in lifecycle(user, period)] == by_hand
    assert any(median for _, median in by_hand)  # medians compared, not only Nones
    assert steps[0] > 0 and (steps[2] > 0 or who == "rep")  # leads who bought: the admin's
    sources = sorted(
        ((row.leads, row.converted, row.bought, row.repeat), row.value)
        for row in by_source(user, period)
    )
    assert sources == hand_by_source(user, period)
    channels = [(r.channel, r.new, r.repeat, r.median_days) for r in by_channel(user, period)]
    assert channels == hand_by_channel(user, period)
    assert channels  # new customers in both periods
    pipeline = Pipeline.objects.get(is_default=True)
    reached = [step.reached for step in pipeline_funnel(user, pipeline, period)]
    assert reached == hand_pipeline(user, pipeline, period)
    assert reached[0] > reached[-1] > 0 or who == "rep"
    if who == "rep":  # the rep sees less than everyone
        assert steps[0] < lifecycle(admin, period)[0].count
        assert sum(r[1] for r in channels) < sum(r.new for r in by_channel(admin, period))
