"""Erasure keeps the revenue figures, checked against an independent computation.

docs/privacy.md promises: the orders, their lines and amounts stay, with the anonymous
customer ("— #id") as buyer, so every revenue figure stays the same. Here a small
generated month of orders (paid, cancelled, wholly refunded, partly returned, on both
sides of the period's bounds in Bangkok time) is read from the orders table with plain
SQL and handed to DuckDB, which sums and ranks it on its own: the period's revenue, each
top customer's revenue, orders, share and running share, and the concentration figures.
After ``customer_erase`` the insights page (a snapshot for a preset period, computed now
for custom dates) and the API show those numbers, the erased customer among the top
under "— #id" with the revenue they had.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics import columns
from samphan.analytics.queries import CONCENTRATION, top_count
from samphan.core.periods import Period, preset_period
from samphan.customers.models import Customer
from samphan.customers.services import customer_create
from samphan.privacy.erasure import ERASED, customer_erase
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput, OrderInput
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
NAME = "พิมพ์ลดา ทดสอบลบ"
D = Decimal
ORDERS = Order._meta.db_table
ORDERS_READ = f"SELECT customer_id, ordered_at, status, revenue FROM {ORDERS}"  # noqa: S608 - the model's table
# Each customer's paid revenue in [start, end), ranked best first, equal sums by customer
# id (the rule of analytics/queries/ranking.py and columns.py), with the running share
# and the period's total.
RANKED = """
    WITH per AS (
        SELECT customer_id, SUM(revenue) AS revenue, COUNT(*) AS orders FROM orders
        WHERE status = 'paid' AND ordered_at >= $start AND ordered_at < $end
        GROUP BY customer_id
    )
    SELECT ROW_NUMBER() OVER (ORDER BY revenue DESC, customer_id) AS rank, customer_id,
        revenue, orders, revenue / SUM(revenue) OVER () AS share,
        SUM(revenue) OVER (ORDER BY revenue DESC, customer_id ROWS UNBOUNDED PRECEDING)
            / SUM(revenue) OVER () AS running,
        SUM(revenue) OVER () AS total
    FROM per ORDER BY rank
"""


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BANGKOK)


def as_utc(value: Any) -> dt.datetime:
    """A stored order time as naive UTC: SQLite hands back text, PostgreSQL a datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def independent(period: Period) -> dict[str, Any]:
    """The period's figures by DuckDB over the orders table, read with plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute(ORDERS_READ)
        rows = [(pk, as_utc(at), status, str(revenue)) for pk, at, status, revenue in cursor]
    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE orders (customer_id BIGINT, ordered_at TIMESTAMP, status VARCHAR, "
        "revenue DECIMAL(18, 2))"
    )
    duck.executemany("INSERT INTO orders VALUES (?, ?, ?, CAST(? AS DECIMAL(18, 2)))", rows)
    start = dt.datetime.combine(period.since, dt.time(), tzinfo=BANGKOK)
    end = dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time(), tzinfo=BANGKOK)
    bounds = {"start": as_utc(start), "end": as_utc(end)}
    ranked = duck.execute(RANKED, bounds).fetchall()
    customers = len(ranked)
    running = {rank: float(cumulative) for rank, _, _, _, _, cumulative, _ in ranked}
    return {
        "orders_in_table": len(rows),
        "revenue": ranked[0][6] if ranked else D(0),
        "customers": customers,
        "top": [
            (rank, customer, revenue, orders, float(share), float(cumulative))
            for rank, customer, revenue, orders, share, cumulative, _ in ranked[:10]
        ],
        "concentration": {
            percent: running[top_count(percent, customers)] for percent in CONCENTRATION
        },
    }


def assert_shown(figures: dict[str, Any], expected: dict[str, Any]) -> None:
    """What the page or the API shows (``figures``: revenue, customers, top rows as
    (rank, id, revenue, orders, share, running share), concentration) is DuckDB's."""
    assert figures["revenue"] == expected["revenue"]
    assert figures["customers"] == expected["customers"]
    shown, wanted = figures["top"], expected["top"]
    assert [row[:4] for row in shown] == [row[:4] for row in wanted]
    for row, want in zip(shown, wanted, strict=True):
        assert row[4:] == pytest.approx(want[4:], abs=1e-4), (row, want)
    assert figures["concentration"] == pytest.approx(expected["concentration"], abs=1e-4)


def from_api(api: Client, period: Period) -> dict[str, Any]:
    dates = {"since": period.since.isoformat(), "until": period.until.isoformat()}
    share = api.get("/api/v1/analytics/share", dates)
    top = api.get("/api/v1/analytics/top-customers", {**dates, "limit": 10})
    assert share.status_code == top.status_code == 200, (share.content, top.content)
    body, items = share.json(), top.json()["items"]
    return {
        "revenue": D(body["revenue"]),
        "customers": body["customers"],
        "top": [
            (
                item["rank"],
                item["customer_id"],
                D(item["revenue"]),
                item["orders"],
                item["share"],
                item["cumulative_share"],
            )
            for item in items
        ],
        "concentration": {int(p): value for p, value in body["concentration"].items()},
        "names": {item["customer_id"]: item["name"] for item in items},
    }


def from_page(client: Client, query: dict[str, str]) -> dict[str, Any]:
    response = client.get("/insights/top/", query)
    assert response.status_code == 200
    share, rows = response.context["share"], response.context["rows"]
    return {
        "revenue": share.revenue,
        "customers": share.customers,
        "top": [
            (r.rank, r.customer_id, r.revenue, r.orders, r.share, r.cumulative_share) for r in rows
        ],
        "concentration": share.concentration,
        "snapshot": response.context["computed_at"] is not None,
        "html": response.content.decode(),
    }


def make_month(admin: User, period: Period) -> Customer:
    """30 buyers over the period and the minutes around its bounds (some with equal
    sums); the person to erase is among the top ones, with a cancelled order, a wholly
    refunded one and a partial return. Returns that person."""
    ProductFactory(sku="BIG", list_price=D("1070.00"), unit_cost=D("500.00"))
    ProductFactory(sku="SMALL", list_price=D("53.50"), unit_cost=D("20.00"))
    person = customer_create(
        actor=admin,
        fields={"first_name": "พิมพ์ลดา", "last_name": "ทดสอบลบ"},
        contact_points=[{"kind": "mobile", "value": "0861112233"}],
    )
    others = [c.pk for c in Customer.objects.bulk_create(CustomerFactory.build_batch(29))]
    rng = random.Random(21)
    days = (period.until - period.since).days + 1
    wanted = []
    for index, customer in enumerate([person.pk, *others]):
        count = 6 if customer == person.pk else rng.randint(1, 4)
        for number in range(count):
            day = period.since + dt.timedelta(days=rng.randrange(days))
            moment = local(day, rng.randint(8, 21), rng.randrange(60))
            lines = [LineInput("SMALL", D(1 + index) if number == 0 else D(1))]
            if customer == person.pk:
                lines.append(LineInput("BIG", D(3)))
            elif rng.random() < 0.5:
                lines.append(LineInput("BIG", D(rng.randint(1, 3))))
            wanted.append(OrderInput(customer, "store", lines, ordered_at=moment))
    # The bounds, in Bangkok time: a minute inside counts, a minute outside does not.
    first, last = period.since, period.until
    wanted += [
        OrderInput(others[0], "store", [LineInput("BIG", D(5))], local(first, 0, 1)),
        OrderInput(others[1], "store", [LineInput("BIG", D(7))], local(first, 0) - dt.timedelta(minutes=1)),
        OrderInput(others[2], "online", [LineInput("BIG", D(9))], local(last, 23, 59)),
        OrderInput(others[3], "online", [LineInput("BIG", D(13))], local(last + dt.timedelta(days=1), 0)),
        OrderInput(person.pk, "store", [LineInput("BIG", D(11))], local(first - dt.timedelta(days=3), 12)),
    ]  # fmt: skip
    result = services.orders_bulk_record(actor=admin, orders=wanted)
    assert not result.errors, result.errors
    mine = list(Order.objects.filter(customer=person, ordered_at__gte=period.start))
    cancelled, refunded, returned = mine[0], mine[1], mine[2]
    services.order_set_status(actor=admin, order=cancelled, status=Order.Status.CANCELLED)
    services.order_set_status(actor=admin, order=refunded, status=Order.Status.REFUNDED)
    services.order_refund(actor=admin, order=returned, lines=[LineInput("BIG", D(1))])
    other_order = Order.objects.filter(customer_id=others[5], ordered_at__gte=period.start).first()
    assert other_order is not None
    services.order_set_status(actor=admin, order=other_order, status=Order.Status.CANCELLED)
    return person


def erase_and_check(admin: User, api: Client) -> dict[str, Any]:
    """The month made, the figures checked, the person erased, the figures checked again
    (the page for the preset period and for the same dates as custom ones, and the API).
    Returns DuckDB's figures after erasure."""
    admin.language = "en"
    admin.save(update_fields=["language"])
    period = preset_period("last_30", timezone.localdate())
    person = make_month(admin, period)
    client = Client()
    client.force_login(admin)
    dates = {"since": period.since.isoformat(), "until": period.until.isoformat()}
    custom = {"period": "custom", **dates}

    before = independent(period)
    assert person.pk in [row[1] for row in before["top"]], "the person is among the top"
    assert_shown(from_api(api, period), before)
    page_before = from_page(client, {"period": "last_30"})
    assert page_before["snapshot"] and NAME in page_before["html"]
    assert_shown(page_before, before)

    customer_erase(person, actor=admin, reason="PDPA request 2026-021")

    after = independent(period)
    # What erasure promises: no order goes, none changes buyer, so the figures are equal.
    assert after == before
    api_after = from_api(api, period)
    assert_shown(api_after, after)
    assert api_after["names"][person.pk] == f"{ERASED} #{person.pk}"
    for query in ({"period": "last_30"}, custom):
        page = from_page(client, query)
        assert_shown(page, after)
        assert NAME not in page["html"] and "พิมพ์ลดา" not in page["html"]
        assert f"{ERASED} #{person.pk}" in page["html"]
    return after


def test_after_erasure_the_insights_show_what_duckdb_computes_by_sql(
    admin_user: User, api: Client, settings: Any, tmp_path: Any
) -> None:
    """Inside the test's transaction every figure comes by SQL (engines 1 and 3)."""
    settings.SAMPHAN_ERASURE_LEDGER = tmp_path / "erasures.log"
    erase_and_check(admin_user, api)


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_insights_show_what_duckdb_computes_from_the_columns(
    admin_user: User, api: Client, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """Outside a transaction the API and the custom dates come from the paid orders'
    columns in memory (engine 2), which erasure leaves as they were."""
    settings.SAMPHAN_ERASURE_LEDGER = tmp_path / "erasures.log"
    monkeypatch.setattr(columns, "LOAD_IN_BACKGROUND", False)
    columns.forget()
    columns.orders_changed()
    try:
        figures = erase_and_check(admin_user, api)
        assert columns._copy is not None, "the columns were not used"
    finally:
        columns.forget()
    print("figures after erasure (DuckDB):", figures)
