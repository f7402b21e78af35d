import datetime as dt
from decimal import Decimal
from itertools import product

import pytest
from django.utils import timezone

from samphan.analytics.models import CustomerRFM, RFMSegment, RFMState
from samphan.analytics.rfm import rfm_rebuild, rfm_refresh_if_stale, segment_of, segment_summary
from tests.analytics.test_rollups import buy
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_every_score_pair_has_one_segment():
    seen = {segment_of(r, f, m) for r, f, m in product(range(1, 6), repeat=3)}
    assert seen == set(RFMSegment.values)
    assert segment_of(5, 5, 5) == RFMSegment.CHAMPIONS
    assert segment_of(1, 5, 5) == RFMSegment.CANT_LOSE
    assert segment_of(5, 1, 1) == RFMSegment.NEW
    assert segment_of(1, 1, 1) == RFMSegment.LOST
    assert segment_of(3, 3, 3) == RFMSegment.NEED_ATTENTION
    assert segment_of(3, 2, 3) == RFMSegment.NEED_ATTENTION  # FM 2.5 rounds up


@pytest.fixture
def five():
    """Five customers: the k-th last bought k·10 days ago, k times, for k·100 baht each."""
    product_ = ProductFactory(list_price=D("107.00"), unit_cost=D("50.00"))
    customers = []
    now = timezone.now()
    for k in range(1, 6):
        customer = CustomerFactory()
        for n in range(k):
            buy(customer, product_, now - dt.timedelta(days=10 * k + n))
        customers.append(customer)
    return customers


def test_scores_on_known_data(five):
    assert rfm_rebuild() == 5
    scores = {row.customer_id: row for row in CustomerRFM.objects.all()}
    # Most recent = the first customer (R 5) but the fewest orders and least money.
    first, last = scores[five[0].pk], scores[five[4].pk]
    assert (first.recency, first.frequency, first.monetary) == (5, 1, 1)
    assert (last.recency, last.frequency, last.monetary) == (1, 5, 5)
    assert first.segment == RFMSegment.NEW and last.segment == RFMSegment.CANT_LOSE
    for row in scores.values():  # the SQL rule table agrees with the Python one
        assert row.segment == segment_of(row.recency, row.frequency, row.monetary)
    state = RFMState.objects.get()
    assert state.customers == 5 and state.computed_at is not None


def test_ties_share_a_score_and_one_time_buyers_score_one():
    product_ = ProductFactory(list_price=D("107.00"))
    now = timezone.now()
    for _ in range(4):
        buy(CustomerFactory(), product_, now - dt.timedelta(days=3))
    loyal = CustomerFactory()
    for n in range(3):
        buy(loyal, product_, now - dt.timedelta(days=40 + n))
    rfm_rebuild()
    frequencies = dict(CustomerRFM.objects.values_list("customer_id", "frequency"))
    assert frequencies.pop(loyal.pk) == 5
    assert set(frequencies.values()) == {1}
    assert set(CustomerRFM.objects.exclude(customer=loyal).values_list("recency", flat=True)) == {2}


def test_empty(admin_user):
    assert rfm_rebuild() == 0
    rows = segment_summary(admin_user)
    assert len(rows) == 11 and not any(row.customers or row.share_of_revenue for row in rows)


def test_summary_follows_visibility(five, make_user):
    rfm_rebuild()
    rep = make_user(role="sales")
    five[0].owner = rep
    five[0].save()
    rows = {row.segment: row for row in segment_summary(rep)}
    assert rows[RFMSegment.NEW].customers == 1 and rows[RFMSegment.NEW].share_of_customers == 1.0
    assert sum(row.customers for row in rows.values()) == 1


def test_refresh_when_stale_runs_once(five, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert rfm_refresh_if_stale()  # the immediate task backend runs it on commit
    assert CustomerRFM.objects.count() == 5
    assert not rfm_refresh_if_stale()  # fresh: nothing queued
    RFMState.objects.update(computed_at=timezone.now() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert rfm_refresh_if_stale()
        assert not rfm_refresh_if_stale()  # queued already: once
    assert len(callbacks) == 1


def test_page_and_api(five, admin_user, make_user):
    rfm_rebuild()
    page = login(admin_user).get("/insights/segments/").content.decode()
    assert "Can't lose them" in page or "Can&#x27;t lose them" in page
    assert 'id="segments-options"' in page
    body = token_client(admin_user).get("/api/v1/analytics/rfm").json()
    assert {row["segment"]: row["customers"] for row in body["segments"]}[RFMSegment.NEW] == 1
    one = token_client(admin_user).get(f"/api/v1/analytics/customers/{five[4].pk}/rfm").json()
    assert (one["recency"], one["frequency"], one["monetary"]) == (1, 5, 5)
    never = CustomerFactory()
    assert (
        token_client(admin_user).get(f"/api/v1/analytics/customers/{never.pk}/rfm").status_code
        == 404
    )
    rep = make_user(role="sales")
    assert token_client(rep).get(f"/api/v1/analytics/customers/{five[4].pk}/rfm").status_code == 404
    panel = login(admin_user).get(f"/insights/customers/{five[4].pk}/cadence/").content.decode()
    assert "R1 F5 M5" in panel


def test_scores_are_quintiles_of_all_the_customers_scored():
    """Seven customers who spent 100 … 700 baht (one order each, on days 7 … 1 ago), by
    hand: 1 + ⌊5 × (customers below) / 7⌋ = 1, 1, 2, 3, 3, 4, 5 for 0 … 6 below. Dividing by
    N − 1 would give 1, 1, 2, 3, 4, 5, 5 (a 6 cut to 5)."""
    product_ = ProductFactory(list_price=D("107.00"))
    now = timezone.now()
    customers = []
    for units in range(1, 8):
        customer = CustomerFactory()
        buy(customer, product_, now - dt.timedelta(days=8 - units), quantity=units)
        customers.append(customer)
    assert rfm_rebuild() == 7
    scores = {row.customer_id: row for row in CustomerRFM.objects.all()}
    by_hand = [1 + 5 * below // 7 for below in range(7)]
    assert by_hand == [1, 1, 2, 3, 3, 4, 5]
    assert [scores[c.pk].monetary for c in customers] == by_hand
    assert [scores[c.pk].recency for c in customers] == by_hand  # later is better
    assert {scores[c.pk].frequency for c in customers} == {1}  # all tied: nobody below


def test_ten_customers_make_five_even_quintiles():
    product_ = ProductFactory(list_price=D("107.00"))
    now = timezone.now()
    for units in range(1, 11):
        buy(CustomerFactory(), product_, now - dt.timedelta(days=1), quantity=units)
    rfm_rebuild()
    monetary = sorted(CustomerRFM.objects.values_list("monetary", flat=True))
    assert monetary == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_segment_revenue_is_money(five, admin_user):
    """Lifetime revenue to the satang everywhere it leaves (SQLite's sum has seven places)."""
    rfm_rebuild()
    for row in segment_summary(admin_user):
        assert row.revenue == row.revenue.quantize(D("0.01"))
        assert row.revenue.as_tuple().exponent == -2
    body = token_client(admin_user).get("/api/v1/analytics/rfm").json()
    revenues = [row["revenue"] for row in body["segments"]]
    assert "500.00" in revenues and all(len(text.split(".")[1]) == 2 for text in revenues)
    csv = login(admin_user).get("/insights/reports/", {"report": "segment", "format": "csv"})
    assert ",500.00," in csv.content.decode()
    page = login(admin_user).get("/insights/segments/").content.decode()
    assert "฿500.00" in page
