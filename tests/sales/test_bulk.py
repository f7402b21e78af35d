"""Orders in bulk: the same figures as one order at a time, bad rows reported, retries safe."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from samphan.analytics.models import CustomerActivity
from samphan.core.models import AuditEvent
from samphan.customers.models import Interaction
from samphan.sales import services
from samphan.sales.models import Order, OrderLine
from samphan.sales.services import LineInput, OrderInput
from samphan.sales.services import bulk as bulk_module
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
ORDER_FIELDS = ("customer_id", "channel", "ordered_at", "revenue", "cost", "profit", "vat", "total")
LINE_FIELDS = ("product_id", "quantity", "unit_price", "discount", "revenue", "vat", "profit")
ROLLUP_FIELDS = ("revenue", "profit", "order_count", "first_purchase_at", "last_purchase_at")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def products(db):
    return [
        ProductFactory(sku="TEA", list_price=D("107.00"), unit_cost=D("40.00")),
        ProductFactory(
            sku="CUP", list_price=D("199.99"), unit_cost=D("50.00"), price_includes_vat=False
        ),
    ]


def when(day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, 3, day, 10, tzinfo=dt.UTC)


def sample_orders(customers):
    """A mix of prices, discounts, VAT bases, channels, two years and repeat customers."""
    return [
        OrderInput(
            customer=customers[index % len(customers)].pk,
            channel=["store", "online", "line"][index % 3],
            ordered_at=when(1 + index % 27, 2025 + index % 2),
            external_id=f"pos-{index}",
            lines=[
                LineInput("TEA", 1 + index % 4, discount=D(index % 5)),
                LineInput("CUP", D("1.5"), unit_price=D("180.50") if index % 2 else None),
            ],
        )
        for index in range(12)
    ]


def snapshot():
    orders = sorted(Order.objects.values_list(*ORDER_FIELDS))
    lines = sorted(OrderLine.objects.values_list(*LINE_FIELDS))
    rollups = sorted(CustomerActivity.objects.values_list("customer_id", *ROLLUP_FIELDS))
    return orders, lines, rollups


def test_bulk_gives_the_same_figures_as_one_order_at_a_time(products):
    customers = [CustomerFactory() for _ in range(4)]
    inputs = sample_orders(customers)
    for item in inputs:
        services.order_record(
            actor=None,
            customer=next(c for c in customers if c.pk == item.customer),
            lines=item.lines,
            channel=item.channel,
            ordered_at=item.ordered_at,
        )
    one_by_one = snapshot()
    audit_one_by_one = AuditEvent.objects.values("subject_type").order_by().count()
    Order.objects.all().delete()
    CustomerActivity.objects.all().delete()
    Interaction.objects.all().delete()
    AuditEvent.objects.all().delete()

    result = services.orders_bulk_record(actor=None, orders=inputs)

    assert not result.errors and len(result.created) == 12 and result.lines == 24
    assert snapshot() == one_by_one
    assert AuditEvent.objects.count() == audit_one_by_one  # one an order
    # The timeline reads orders where they are (samphan.sales.timeline): no copies.
    assert not Interaction.objects.exists()


def test_numbers_run_per_year_after_those_already_given(products):
    customer = CustomerFactory()
    services.order_record(
        actor=None, customer=customer, lines=[LineInput("TEA", 1)], channel="store",
        ordered_at=when(1),
    )  # fmt: skip
    result = services.orders_bulk_record(
        actor=None,
        orders=[
            OrderInput(customer.pk, "store", [LineInput("TEA", 1)], ordered_at=when(2)),
            OrderInput(customer.pk, "store", [LineInput("TEA", 1)], ordered_at=when(2, 2025)),
            OrderInput(customer.pk, "store", [LineInput("TEA", 1)], ordered_at=when(3)),
        ],
    )
    assert [order.number for order in result.created.values()] == [
        "SO-2026-000002",
        "SO-2025-000001",
        "SO-2026-000003",
    ]
    after = services.order_record(
        actor=None, customer=customer, lines=[LineInput("TEA", 1)], channel="store",
        ordered_at=when(4),
    )[0]  # fmt: skip
    assert after.number == "SO-2026-000004"


def test_bad_orders_are_reported_by_index_and_nothing_is_written(products):
    customer = CustomerFactory()
    archived = CustomerFactory(archived_at=timezone.now())
    good = OrderInput(customer.pk, "store", [LineInput("TEA", 1)])
    orders = [
        good,
        OrderInput(customer.pk, "store", [LineInput("TEA", -1), LineInput("NOPE", 1)]),
        OrderInput(customer.pk, "fax", [LineInput("TEA", 1, discount=500)]),
        OrderInput(999_999, "store", [LineInput("TEA", 1)]),
        OrderInput(archived.pk, "store", []),
        good,
        OrderInput(customer.pk, "store", [LineInput("TEA", 1)], note="x" * 501),
    ]

    result = services.orders_bulk_record(actor=None, orders=orders)

    assert set(result.errors) == {1, 2, 3, 4, 6}
    assert "at most 500" in result.errors[6]["note"][0]
    assert {"lines.0.quantity", "lines.1.product"} <= set(result.errors[1])
    assert set(result.errors[2]) == {"channel", "lines.0.discount"}
    assert "see" in result.errors[3]["customer"][0]
    assert set(result.errors[4]) == {"customer", "lines"}
    assert not result.created and not result.written
    assert not Order.objects.exists() and not CustomerActivity.objects.exists()
    assert not Interaction.objects.exists() and not AuditEvent.objects.exists()


def test_partial_writes_the_good_orders_and_reports_the_bad(products):
    customer = CustomerFactory()
    orders = [
        OrderInput(customer.pk, "store", [LineInput("TEA", 1)]),
        OrderInput(customer.pk, "store", [LineInput("NOPE", 1)]),
        OrderInput(customer.pk, "online", [LineInput("CUP", 2)]),
    ]
    result = services.orders_bulk_record(actor=None, orders=orders, partial=True)
    assert set(result.created) == {0, 2} and set(result.errors) == {1}
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 2


def test_customers_outside_the_scope_are_refused(products):
    mine, theirs = CustomerFactory(), CustomerFactory()
    scope = type(mine).objects.filter(pk=mine.pk)
    result = services.orders_bulk_record(
        actor=None,
        orders=[
            OrderInput(mine.pk, "store", [LineInput("TEA", 1)]),
            OrderInput(theirs.pk, "store", [LineInput("TEA", 1)]),
        ],
        customers=scope,
    )
    assert set(result.errors) == {1} and not Order.objects.exists()


def test_a_retried_batch_writes_nothing_twice(products):
    customers = [CustomerFactory() for _ in range(3)]
    inputs = sample_orders(customers)
    first = services.orders_bulk_record(actor=None, orders=inputs[:8])
    before = snapshot()

    again = services.orders_bulk_record(actor=None, orders=inputs)

    assert len(first.created) == 8
    assert set(again.skipped) == set(range(8)) and set(again.created) == set(range(8, 12))
    assert again.skipped[3].pk == first.created[3].pk
    assert Order.objects.count() == 12
    assert services.orders_bulk_record(actor=None, orders=inputs).created == {}
    assert Order.objects.count() == 12
    rollups = {row[0]: row for row in snapshot()[2]}
    assert sum(row[3] for row in rollups.values()) == 12
    assert before != snapshot()


def test_an_external_id_repeated_inside_a_batch_is_recorded_once(products):
    customer = CustomerFactory()
    order = OrderInput(customer.pk, "store", [LineInput("TEA", 1)], external_id="pos-1")
    result = services.orders_bulk_record(actor=None, orders=[order, order])
    assert set(result.created) == {0} and result.skipped[1] is result.created[0]
    assert Order.objects.count() == 1


def test_a_race_on_an_external_id_is_settled_by_checking_again(products, monkeypatch):
    """Another request committed pos-1 just after our check: our insert fails on the unique
    constraint, the batch is checked again and pos-1 is skipped."""
    customer = CustomerFactory()
    services.order_record(
        actor=None, customer=customer, lines=[LineInput("CUP", 1)], channel="store",
        external_id="pos-1",
    )  # fmt: skip
    checks = []

    real_check = bulk_module.known_orders

    def late_check(external_ids):
        checks.append(list(external_ids))
        return {} if len(checks) == 1 else real_check(external_ids)

    monkeypatch.setattr(bulk_module, "known_orders", late_check)
    orders = [
        OrderInput(customer.pk, "store", [LineInput("TEA", 1)], external_id="pos-1"),
        OrderInput(customer.pk, "store", [LineInput("TEA", 2)], external_id="pos-2"),
    ]
    result = services.orders_bulk_record(actor=None, orders=orders)
    assert len(checks) == 2
    assert set(result.created) == {1} and set(result.skipped) == {0}
    assert Order.objects.count() == 2 and OrderLine.objects.count() == 2
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 2


def test_a_second_failure_is_raised(products, monkeypatch):
    customer = CustomerFactory()

    def failing(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(bulk_module, "_write", failing)
    with pytest.raises(IntegrityError):
        services.orders_bulk_record(
            actor=None, orders=[OrderInput(customer.pk, "store", [LineInput("TEA", 1)])]
        )
    assert not Order.objects.exists()
