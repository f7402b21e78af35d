"""The paid orders' columns in memory give the same figures as SQL, and stay exact as orders
are added, cancelled, refunded, moved by a merge or deleted.

Outside a transaction (``transaction=True``): the columns are not read inside one."""

import datetime as dt
import random
import threading
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection, transaction

from samphan.analytics import columns, dashboard, figures, queries
from samphan.analytics.models import OrdersVersion
from samphan.core.periods import Period
from samphan.customers.merge import customer_merge
from samphan.customers.models import Customer, Tag
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput, OrderInput
from samphan.sales.services.order_rows import orders_insert
from tests.analytics.test_rollups import BANGKOK
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
PERIODS = [
    Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    Period(dt.date(2026, 2, 14), dt.date(2026, 2, 14)),  # one day: its midnights are bounds
    Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),  # nobody bought: empty
    None,  # all time
]


@pytest.fixture(autouse=True)
def fresh_columns(monkeypatch):
    monkeypatch.setattr(columns, "LOAD_IN_BACKGROUND", False)
    columns.forget()
    columns.orders_changed()  # the row a migration makes (an earlier test's flush took it)
    yield
    columns.forget()


@pytest.fixture
def shop():
    """120 customers in three provinces, some tagged, with 600 orders over half a year whose
    sums are whole baht (exact in a double, so both ways must agree to the satang)."""
    rng = random.Random(7)
    ProductFactory(sku="A", list_price=D("107.00"), unit_cost=D("60.00"))
    ProductFactory(sku="B", list_price=D("321.00"), unit_cost=D("100.00"))
    vip, new = Tag.objects.create(name="vip"), Tag.objects.create(name="ใหม่")
    customers = []
    for index in range(120):
        customer = CustomerFactory(province=["กรุงเทพมหานคร", "เชียงใหม่", ""][index % 3])
        if index % 4 == 0:
            customer.tags.add(vip)
        if index % 5 == 0:
            customer.tags.add(new)
        customers.append(customer)
    orders = [
        OrderInput(
            customer=rng.choice(customers).pk,
            lines=[LineInput(rng.choice("AB"), rng.randint(1, 3))],
            channel=rng.choice(["store", "online", "line"]),
            ordered_at=dt.datetime(2026, 1, 1, tzinfo=BANGKOK)
            + dt.timedelta(minutes=rng.randrange(180 * 24 * 60)),
        )
        for _ in range(600)
    ]
    # Midnight exactly, on both sides of a bound.
    orders[0] = replace(orders[0], ordered_at=dt.datetime(2026, 2, 14, tzinfo=BANGKOK))
    orders[1] = replace(orders[1], ordered_at=dt.datetime(2026, 2, 15, tzinfo=BANGKOK))
    result = services.orders_bulk_record(actor=None, orders=orders)
    assert not result.errors
    created = list(result.created.values())
    services.order_set_status(actor=None, order=created[2], status="cancelled")
    services.order_set_status(actor=None, order=created[3], status="refunded")
    return customers


def rounded(rows):
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


def assert_same(user, period, *, by="revenue", limit=10, group=""):
    fast = figures._ranked(user, period, by=by, limit=limit, group=group)
    assert columns._copy is not None, "the columns were not used"
    slow = queries.ranked_by_sql(user, period, by=by, limit=limit, group=group)
    assert rounded(fast[0]) == rounded(slow[0])
    assert rounded(fast[1]) == rounded(slow[1])
    assert figures._channel_rows(user, period, by) == queries.channel_rows_by_sql(user, period, by)
    if period is not None:  # buyers, new and returning: inside a transaction by SQL
        fast_kpis = dashboard.kpis(user, period)
        with transaction.atomic():
            assert dashboard.kpis(user, period) == fast_kpis
    return fast


@pytest.mark.parametrize("period", PERIODS, ids=["march", "half", "day", "empty", "all"])
def test_the_columns_rank_and_group_as_sql_does(shop, admin_user, period):
    for by in ("revenue", "profit"):
        for group in ("", "province", "tag", "tier"):
            assert_same(admin_user, period, by=by, limit=10, group=group)
    assert_same(admin_user, period, limit=0)
    ranks, _ = assert_same(admin_user, period, limit=100)
    buyers = {row[3] for row in ranks}
    if period is not None and period.since.year == 2025:
        assert ranks == []
    elif period is None or period.since.month == 1:
        assert len(buyers) == len(ranks) > 10  # the top ten and the percent marks
    else:
        assert buyers
    if period == PERIODS[0]:  # March: some bought before, some for the first time
        figures = dashboard.kpis(admin_user, period)
        assert 0 < figures.new_buyers < figures.buyers


def test_the_columns_follow_every_change_to_the_orders(shop, admin_user):
    half = PERIODS[1]
    product = ProductFactory(sku="C", list_price=D("1070.00"), unit_cost=D("100.00"))

    def check(expected_top: Customer | None = None) -> None:
        ranks, _ = assert_same(admin_user, half, group="province")
        if expected_top is not None:
            assert ranks[0][3] == expected_top.pk

    check()
    late = shop[5]
    order, _ = services.order_record(
        actor=None,
        customer=late,
        lines=[LineInput(product.pk, 30)],
        channel="phone",
        ordered_at=dt.datetime(2026, 5, 5, 10, tzinfo=BANGKOK),
    )
    check(expected_top=late)  # a new order: appended

    services.order_set_status(actor=None, order=order, status="cancelled")
    check()  # a cancellation: reloaded
    assert figures._ranked(admin_user, half, by="revenue", limit=1)[0][0][3] != late.pk

    services.order_set_status(actor=None, order=order, status="paid")
    services.order_refund(actor=None, order=order, lines=[LineInput(product.pk, 29)])
    check()  # a refund: the order's sums changed

    target = shop[6]
    with transaction.atomic():
        customer_merge(actor=None, source=late, target=target)
    check(expected_top=target)  # a merge moved the orders

    Order.objects.filter(customer=target).delete()  # orders protect their customer
    check()  # a deletion took them away
    assert target.pk not in {
        row[3] for row in figures._ranked(admin_user, half, by="revenue", limit=50)[0]
    }


def test_a_first_use_answers_by_sql_while_the_columns_load(shop, admin_user, monkeypatch):
    monkeypatch.setattr(columns, "LOAD_IN_BACKGROUND", True)
    march = PERIODS[0]
    first = figures._ranked(admin_user, march, by="revenue", limit=10, group="province")
    assert first == queries.ranked_by_sql(
        admin_user, march, by="revenue", limit=10, group="province"
    )
    columns.wait_for_load()
    assert columns._copy is not None
    assert_same(admin_user, march, group="province")


def paid_rows() -> list[tuple[int, int, float, float, int]]:
    """The paid orders as the columns should hold them, read through the ORM."""
    return sorted(
        (customer, int(moment.timestamp()), float(revenue), float(profit), columns.CHANNELS.index(channel) if channel in columns.CHANNELS else -1)
        for customer, moment, revenue, profit, channel in Order.objects.filter(
            status="paid"
        ).values_list("customer_id", "ordered_at", "revenue", "profit", "channel")
    )  # fmt: skip


@pytest.mark.parametrize("counted", ["exact", "fewer", "more"])
def test_a_load_streamed_in_chunks_is_the_exact_copy(shop, monkeypatch, counted):
    """The load reads CHUNK rows at a time into arrays sized by a count first (grown when
    more orders come than counted, trimmed when fewer): every paid order once, exactly."""
    monkeypatch.setattr(columns, "CHUNK", 7)  # 600 orders: many chunks, the last one short
    if counted != "exact":
        monkeypatch.setattr(
            columns, "_count", lambda where: f"SELECT {3 if counted == 'fewer' else 5000} + 0 * %s"
        )
    copy = columns._load(columns.current_version())
    held = (copy.customer, copy.second, copy.revenue, copy.profit, copy.channel)
    assert [array.dtype for array in held] == [np.int64, np.int64, np.float64, np.float64, np.int8]
    assert len({len(array) for array in held}) == 1
    assert all(array.base is None for array in held)  # no view of a larger array kept alive
    rows = sorted(zip(*(array.tolist() for array in held), strict=True))
    assert rows == paid_rows()
    assert len(rows) == 598  # 600 less the cancelled and the refunded


def test_a_database_emptied_under_the_process_is_not_taken_for_the_copied_one(shop, admin_user):
    march = PERIODS[0]
    assert_same(admin_user, march)
    OrdersVersion.objects.all().delete()  # as a flush or a restored backup leaves it
    Order.objects.filter(customer__in=shop[:60]).update(status="cancelled")  # no signal
    assert figures._ranked(admin_user, march, by="revenue", limit=10) == (
        queries.ranked_by_sql(admin_user, march, by="revenue", limit=10)
    )
    assert columns.paid_orders() is None
    columns.orders_changed()  # a new row: another version, whatever the old one was
    assert_same(admin_user, march)


def test_inside_a_transaction_the_figures_come_from_sql(shop, admin_user):
    with transaction.atomic():
        assert not columns.usable()
        figures._ranked(admin_user, PERIODS[0], by="revenue", limit=10)
    assert columns._copy is None


def test_an_order_committed_after_a_later_one_is_not_missed(shop, admin_user):
    """On PostgreSQL a transaction can take an id, and commit after one that took a later
    id: the columns look for the earlier id again until it is there. (The services take
    the order number's row lock first, which orders their commits; an import of orders
    numbered elsewhere, as the demo's, does not.)"""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer: ids are given in the order of commits")
    slow_buyer, quick_buyer = shop[7], shop[8]
    assert_same(admin_user, None)  # the copy is loaded: what follows is appended
    inserted, release = threading.Event(), threading.Event()

    def slow_sale() -> None:
        try:
            with transaction.atomic():
                insert_order(slow_buyer, "T-SLOW", D("50000.00"))
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_sale)
    thread.start()
    assert inserted.wait(10)
    insert_order(quick_buyer, "T-QUICK", D("20000.00"))  # a later id, committed first
    ranks, _ = assert_same(admin_user, None)
    assert ranks[0][3] == quick_buyer.pk
    release.set()
    thread.join(10)
    ranks, _ = assert_same(admin_user, None)
    assert ranks[0][3] == slow_buyer.pk


def insert_order(customer, number, revenue):
    """An order written as the import of numbered orders does (no number reserved here)."""
    order = Order(
        number=number, customer_id=customer.pk, channel="store", status="paid",
        ordered_at=dt.datetime(2026, 5, 5, 10, tzinfo=BANGKOK), revenue=revenue,
        cost=D("0.00"), profit=revenue, vat=D("0.00"), total=revenue,
    )  # fmt: skip
    orders_insert(actor=None, orders=[(order, [])])
