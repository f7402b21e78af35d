"""Concentration ("the top n% bring x%") and the Gini index, held to an independent
computation: DuckDB ranks the amounts the orders were made from, takes the top
⌈n × N / 100⌉ and computes Gini as the mean absolute difference (every pair of customers),
not from the Lorenz area as the app does. Both ways of the app are checked: SQL (inside a
transaction) and the paid orders' columns in memory (outside one)."""

import datetime as dt
import random
from decimal import Decimal

import duckdb
import pytest
from django.db import transaction
from django.test import Client

from samphan.analytics import columns
from samphan.analytics.figures import TopQuestion, figures
from samphan.analytics.queries import CONCENTRATION, top_count
from samphan.analytics.snapshots import all_records_user
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.sales import services
from samphan.sales.services import LineInput, OrderInput
from tests.analytics.test_rollups import BANGKOK
from tests.analytics.test_views import login
from tests.factories import CustomerFactory, ProductFactory

D = Decimal
DAY = dt.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY)


def revenue_share(user, period):
    return figures(user, TopQuestion(period, limit=0)).share


def independent(amounts: dict[int, int]) -> tuple[dict[int, float], dict[int, int], float]:
    """(share of the top ⌈p × N / 100⌉ by percent, how many that is, Gini) by DuckDB."""
    con = duckdb.connect()
    con.execute("CREATE TABLE sums (customer BIGINT, amount DOUBLE)")
    con.executemany("INSERT INTO sums VALUES (?, ?)", list(amounts.items()))
    con.execute("CREATE TABLE percents (p INTEGER)")
    con.executemany("INSERT INTO percents VALUES (?)", [(p,) for p in CONCENTRATION])
    rows = con.execute("""
        WITH ranked AS (
            SELECT amount, ROW_NUMBER() OVER (ORDER BY amount DESC, customer) AS n,
                COUNT(*) OVER () AS k, SUM(amount) OVER () AS total
            FROM sums
        )
        SELECT p, (p * k + 99) // 100 AS top,
            SUM(amount) FILTER (WHERE n <= (p * k + 99) // 100) / ANY_VALUE(total)
        FROM ranked, percents GROUP BY p, k ORDER BY p
    """).fetchall()
    (gini,) = con.execute("""
        SELECT SUM(ABS(a.amount - b.amount))
            / (2 * (SELECT COUNT(*) FROM sums) * (SELECT SUM(amount) FROM sums))
        FROM sums a, sums b
    """).fetchone()
    return (
        {p: round(share, 4) for p, _, share in rows},
        {p: top for p, top, _ in rows},
        gini,
    )


def record(amounts: dict[int, int], day: dt.date = DAY) -> None:
    """One paid order per customer on ``day`` of ``amount`` units of a 100-baht product
    (107 with VAT): their revenue is 100 × the amount."""
    orders = [
        OrderInput(
            customer=customer,
            lines=[LineInput("P", units)],
            channel="store",
            ordered_at=dt.datetime.combine(day, dt.time(12), tzinfo=BANGKOK),
        )
        for customer, units in amounts.items()
    ]
    assert not services.orders_bulk_record(actor=None, orders=orders).errors


def customers(count: int) -> list[int]:
    made = Customer.objects.bulk_create(CustomerFactory.build_batch(count))
    return [customer.pk for customer in made]


def login_as_is(user):
    client = Client()
    client.force_login(user)
    return client


def assert_matches(share, units: dict[int, int]) -> None:
    expected, counts, gini = independent({c: 100 * u for c, u in units.items()})
    assert share.customers == len(units)
    assert share.concentration_customers == counts
    assert share.concentration == expected
    assert share.gini == pytest.approx(gini, abs=1e-4)
    # The curve passes through each top's point: (its percent of customers, its share).
    for percent, count in counts.items():
        assert (round(100 * count / len(units), 2), expected[percent]) in share.pareto


@pytest.fixture
def product(db):
    return ProductFactory(sku="P", list_price=D("107.00"), unit_cost=D("60.00"))


@pytest.mark.django_db(transaction=True)
def test_1301_customers_by_sql_and_by_the_columns(product, monkeypatch):
    """The demo's size: the top 1% of 1,301 customers is 14 of them, not the 27 that the
    next whole percent of the curve would give."""
    monkeypatch.setattr(columns, "LOAD_IN_BACKGROUND", False)
    columns.forget()
    columns.orders_changed()
    rng = random.Random(18)
    ids = customers(1301)
    # A long tail: a few large buyers, many small ones; ties too (many buy 1 or 2).
    units = {pk: min(int(rng.paretovariate(1.2)), 400) for pk in ids}
    record(units)
    try:
        user = all_records_user()
        by_columns = revenue_share(user, ONE_DAY)
        assert columns._copy is not None, "the columns were not used"
        with transaction.atomic():
            by_sql = revenue_share(user, ONE_DAY)
    finally:
        columns.forget()
    assert by_sql.concentration_customers[1] == 14 == top_count(1, 1301)
    assert_matches(by_sql, units)
    assert_matches(by_columns, units)
    assert by_columns.gini == by_sql.gini


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("units", "gini"),
    [
        ([5], 0.0),  # one customer is every top
        ([3, 1], 0.25),  # |300 − 100| × 2 / (2 × 2² × 200)
        ([4, 4], 0.0),
        ([6, 3, 1], 0.3333),  # (3 + 5 + 2) × 2 × 100 / (2 × 9 × 1000 / 3)
    ],
    ids=["one", "two", "two-equal", "three"],
)
def test_tiny_sets(product, admin_user, units, gini):
    ids = customers(len(units))
    record(dict(zip(ids, units, strict=True)))
    share = revenue_share(admin_user, ONE_DAY)
    assert_matches(share, dict(zip(ids, units, strict=True)))
    assert share.gini == gini
    # Every top is at least one customer: the top 1% of three is the best one.
    assert share.concentration[1] == round(units[0] / sum(units), 4)
    assert share.concentration[100] == 1.0


@pytest.mark.django_db
def test_a_one_day_period_counts_that_day_and_its_own_ranks(product, admin_user):
    """Orders the day before and after do not count; with 150 buyers the top 1% is two
    customers (⌈1.5⌉), and the figure is theirs, not the third's."""
    ids = customers(152)
    units = {pk: index + 1 for index, pk in enumerate(ids[:150])}
    record(units)
    record({ids[150]: 1000}, DAY - dt.timedelta(days=1))
    record({ids[151]: 1000}, DAY + dt.timedelta(days=1))
    share = revenue_share(admin_user, ONE_DAY)
    assert_matches(share, units)
    assert share.concentration_customers[1] == 2
    assert share.concentration[1] == round((150 + 149) / sum(units.values()), 4)


@pytest.mark.django_db
def test_nobody_bought(admin_user):
    share = revenue_share(admin_user, ONE_DAY)
    assert share.customers == 0 and share.gini is None
    assert share.concentration == dict.fromkeys(CONCENTRATION, 0.0)


@pytest.mark.django_db
def test_the_api_adds_the_counts_and_gini(product, api):
    ids = customers(3)
    record(dict(zip(ids, [6, 3, 1], strict=True)))
    body = api.get("/api/v1/analytics/share", {"since": "2026-03-10", "until": "2026-03-10"})
    assert body.status_code == 200, body.content
    share = body.json()
    # What clients read before is still there, with the same meaning.
    assert share["concentration"]["1"] == 0.6 and share["concentration"]["10"] == 0.6
    assert share["concentration"]["20"] == 0.6 and share["concentration"]["50"] == 0.9
    assert share["concentration_customers"] == {
        "1": 1, "5": 1, "10": 1, "20": 1, "50": 2, "80": 3, "100": 3,
    }  # fmt: skip
    assert share["gini"] == 0.3333
    assert share["pareto"] == [[0.0, 0.0], [33.33, 0.6], [66.67, 0.9], [100.0, 1.0]]


@pytest.mark.django_db
def test_the_page_lists_each_top_and_explains_the_index(product, admin_user):
    ids = customers(3)
    record(dict(zip(ids, [6, 3, 1], strict=True)))
    page = (
        login(admin_user)
        .get("/insights/top/", {"period": "custom", "since": "2026-03-10", "until": "2026-03-10"})
        .content.decode()
    )
    for percent in CONCENTRATION:
        assert f"top {percent}%" in page
    assert "Concentration index (Gini)" in page and "<strong>0.33</strong>" in page
    assert 'popovertarget="gini-help"' in page and 'id="gini-help"' in page
    admin_user.language = "th"
    admin_user.save(update_fields=["language"])
    thai = (
        login_as_is(admin_user)
        .get("/insights/top/", {"period": "custom", "since": "2026-03-10", "until": "2026-03-10"})
        .content.decode()
    )
    assert "อันดับต้น 1%" in thai and "ดัชนีการกระจุกตัว (Gini)" in thai
    assert "อันดับต้น n% คือลูกค้า" in thai  # a literal % in a translated template string
