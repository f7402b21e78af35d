"""The demo's sales data: catalogue, orders with their patterns, roll-ups, deals, leads,
quotations. One load of 1,000 customers is shared by the module and rolled back after it."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone

from samphan.analytics.models import CustomerActivity
from samphan.analytics.rollups import activity_rebuild, analytics_rebuild
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import timeline_page
from samphan.demo.loader import load_demo
from samphan.demo.sales_rows import catalogue_ensure
from samphan.sales.models import (
    Category,
    Deal,
    Lead,
    Order,
    OrderLine,
    Product,
    Quote,
    Stage,
)
from samphan.sales.services import LineInput, order_record
from tests.analytics.test_rollups import activity_rows, daily_rows
from tests.factories import UserFactory
from tests.test_setup_and_demo import assert_orders_add_up

LOADED_AT = dt.datetime(2026, 12, 4, 5, 0, tzinfo=dt.UTC)  # noon in Bangkok


@pytest.fixture(scope="module")
def sales_demo(django_db_setup, django_db_blocker):
    """One demo load shared by the sales checks below (rolled back at the end)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        # The demo's history ends today: which deals are still open, and so which quotes
        # are drafts, moves with the date. Loaded at a fixed moment, the checks below see
        # the same data whatever day they run.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "now", lambda: LOADED_AT)
            result = load_demo(customers=1_000, seed=5)
        try:
            yield result
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def sales_data(sales_demo, db):
    return sales_demo


def test_demo_sales_catalogue_is_made_once_by_sku(sales_data):
    skus = set(Product.objects.values_list("sku", flat=True))
    assert len(skus) >= 60 and {"COF-001", "SUP-014"} <= skus
    assert catalogue_ensure() and Product.objects.count() == len(skus)
    assert Category.objects.filter(name_en="Coffee").exists()


def test_demo_orders_have_realistic_shape(sales_data):
    lines_per_customer = sales_data.order_lines / sales_data.customers
    assert 15 <= lines_per_customer <= 25  # 20 million lines at a million customers
    assert_orders_add_up()
    numbers = Order.objects.filter(number__contains="-D").values_list("number", flat=True)
    assert all(re.fullmatch(r"SO-20\d\d-D\d{6,}-\d{3}", number) for number in numbers)
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert 0.002 < statuses["cancelled"] / sum(statuses.values()) < 0.01
    assert statuses["refunded"] and OrderLine.objects.filter(is_refund=True).exists()
    companies = Order.objects.filter(customer__kind="company")
    assert set(companies.values_list("channel", flat=True)) <= {
        "field",
        "phone",
        "online",
        "store",
        "line",
    }
    assert companies.filter(channel__in=["field", "phone"]).count() > companies.count() / 2
    assert (
        companies.aggregate(avg=Avg("total"))["avg"]
        > 5 * Order.objects.filter(customer__kind="person").aggregate(avg=Avg("total"))["avg"]
    )


def test_demo_spend_is_pareto_shaped(sales_data):
    revenue = sorted(CustomerActivity.objects.values_list("revenue", flat=True), reverse=True)
    top_fifth = sum(revenue[: len(revenue) // 5])
    assert top_fifth / sum(revenue) > Decimal("0.6")


def test_demo_repeat_customers_keep_a_weekday(sales_data):
    days: dict[int, list[int]] = {}
    for customer_id, at in Order.objects.values_list("customer_id", "ordered_at"):
        days.setdefault(customer_id, []).append(timezone.localtime(at).weekday())
    shares = [
        Counter(weekdays).most_common(1)[0][1] / len(weekdays)
        for weekdays in days.values()
        if len(weekdays) >= 6
    ]
    assert len(shares) > 100 and sum(shares) / len(shares) > 0.7


def test_demo_purchases_are_on_the_timeline_from_the_orders(sales_data):
    assert not Interaction.objects.filter(kind="purchase", summary__contains="-D").exists()
    buyer = CustomerActivity.objects.order_by("-order_count").first()
    entries, _ = timeline_page(UserFactory(is_superuser=True), buyer.customer, kind="purchase")
    assert [entry.occurred_at for entry in entries] == list(
        Order.objects.filter(customer=buyer.customer)
        .order_by("-ordered_at", "-id")
        .values_list("ordered_at", flat=True)[:50]
    )


def test_demo_rollups_equal_a_rebuild(sales_data):
    fields = (
        "customer_id",
        "revenue",
        "profit",
        "order_count",
        "first_purchase_at",
        "last_purchase_at",
    )
    loaded = list(CustomerActivity.objects.order_by("customer_id").values_list(*fields))
    activity_rebuild()
    assert list(CustomerActivity.objects.order_by("customer_id").values_list(*fields)) == loaded
    assert len(loaded) > 500


def test_demo_analytics_rollups_equal_a_rebuild(sales_data):
    """The loader fills the analytics roll-ups set-wise; a rebuild must find them right."""
    loaded = activity_rows(), daily_rows()
    with transaction.atomic():
        analytics_rebuild()
        assert (activity_rows(), daily_rows()) == loaded
        transaction.set_rollback(True)
    assert len(loaded[0]) > 500 and len(loaded[1]) > 300


def test_demo_deals_fill_every_stage_with_history(sales_data):
    stages = Stage.objects.filter(pipeline__is_default=True)
    assert set(Deal.objects.values_list("stage", flat=True)) == set(
        stages.values_list("id", flat=True)
    )
    assert 0.02 < Deal.objects.count() / sales_data.customers < 0.045
    for deal in Deal.objects.prefetch_related("stage_changes")[:40]:
        changes = list(deal.stage_changes.all())
        assert changes[0].from_stage_id is None and changes[-1].to_stage_id == deal.stage_id
        assert deal.stage_entered_at == changes[-1].at and deal.lines.exists()
    cycle = {
        kind: Deal.objects.filter(customer__kind=kind, stage__outcome="won")
        .annotate(days=F("closed_at") - F("created_at"))
        .aggregate(avg=Avg("days"))["avg"]
        for kind in ("person", "company")
    }
    assert cycle["company"] > 2 * cycle["person"]  # B2B deals take longer


def test_demo_leads_and_quotes(sales_data):
    assert not Customer.objects.filter(stage="lead").exclude(leads__isnull=False).exists()
    leads = Lead.objects.all()
    assert leads.filter(matched_existing=True).exists()
    assert len(set(leads.values_list("source", flat=True))) >= 5
    assert len(set(leads.values_list("status", flat=True))) == 4
    statuses = set(Quote.objects.values_list("status", flat=True))
    assert sales_data.quotes > 10 and {"draft", "rejected"} <= statuses


def test_no_demo_lead_or_prospect_has_a_paid_order(sales_data):
    """Whoever paid is a customer (or was one and lapsed): the demo tells no other story."""
    buyers = Order.objects.filter(status=Order.Status.PAID).values("customer_id")
    stages = set(Customer.objects.filter(pk__in=buyers).values_list("stage", flat=True))
    assert stages <= {Customer.Stage.CUSTOMER, Customer.Stage.INACTIVE}


def test_next_number_after_the_demo_does_not_collide(sales_data):
    customer = Customer.objects.filter(stage="customer").first()
    product = Product.objects.get(sku="COF-001")
    order, _ = order_record(
        actor=None, customer=customer, lines=[LineInput(product.pk, 1)], channel="store"
    )
    assert "-D" not in order.number


def test_demo_points_are_each_paid_orders_spend_over_25_rounded_down(sales_data):
    """Recounted in Python from the orders, not by the SQL that wrote them; the balance is
    what the orders earned, plus the demo's referral rewards, less what the load's nightly
    run expired."""
    from django.db.models import Sum

    from samphan.loyalty.models import Member, PointsEntry
    from samphan.sales.models import Order

    expected: Counter[int] = Counter()
    for customer_id, revenue in Order.objects.filter(status="paid").values_list(
        "customer_id", "revenue"
    ):
        expected[customer_id] += int(revenue // Decimal(25)) if revenue > 0 else 0
    by_kind = PointsEntry.objects.values("customer_id", "kind", "cause").annotate(
        total=Sum("points")
    )
    earned = {r["customer_id"]: r["total"] for r in by_kind if r["cause"] == "order"}
    referred = {r["customer_id"]: r["total"] for r in by_kind if r["cause"] == "referral"}
    expired = {r["customer_id"]: r["total"] for r in by_kind if r["kind"] == "expire"}
    assert earned == {pk: n for pk, n in expected.items() if n}
    # Members at 0 with no rows are those given a referral code before any points.
    kept = dict(Member.objects.exclude(points=0).values_list("customer_id", "points"))
    everyone = set(earned) | set(referred)
    balances = {pk: earned.get(pk, 0) + referred.get(pk, 0) + expired.get(pk, 0) for pk in everyone}
    assert kept == {pk: n for pk, n in balances.items() if n}
    assert referred  # the demo's referrals were rewarded
    assert len(kept) > 500 and expired  # the demo's oldest points have expired


def test_demo_tiers_follow_the_last_12_months_spend(sales_data):
    """Silver from ฿10,000, Gold from ฿50,000, Platinum from ฿150,000 of paid orders since
    the load's day a year before (Bangkok), recounted here from the orders."""
    import zoneinfo

    from samphan.customers.models import Customer
    from samphan.loyalty.models import TierChange
    from samphan.sales.models import Order

    today = timezone.localdate(TierChange.objects.latest("at").at)  # the demo's own clock
    since = dt.datetime(today.year - 1, today.month, min(today.day, 28),
                        tzinfo=zoneinfo.ZoneInfo("Asia/Bangkok"))  # fmt: skip
    spend: Counter[int] = Counter()
    for customer_id, revenue in Order.objects.filter(
        status="paid", ordered_at__gte=since
    ).values_list("customer_id", "revenue"):
        spend[customer_id] += revenue
    steps = [(Decimal(150_000), "platinum"), (Decimal(50_000), "gold"), (Decimal(10_000), "silver")]
    expected = {
        pk: next((tier for at, tier in steps if total >= at), "none") for pk, total in spend.items()
    }
    tiers = dict(Customer.objects.filter(pk__in=list(spend)).values_list("pk", "tier"))
    assert tiers == expected
    assert not Customer.objects.exclude(pk__in=list(spend)).exclude(tier="none").exists()
    assert {"silver", "gold"} <= set(expected.values())
