import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from samphan.analytics.models import CustomerActivity
from samphan.core.models import AuditEvent
from samphan.customers.timeline import timeline_page
from samphan.sales import services
from samphan.sales.models import Order, OrderLine
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def when(day: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC)


@pytest.fixture
def tea():
    return ProductFactory(sku="TEA", list_price=D("107.00"), unit_cost=D("40.00"))


@pytest.fixture
def cup():
    return ProductFactory(
        sku="CUP", list_price=D("200.00"), unit_cost=D("50.00"), price_includes_vat=False
    )


def record(customer, lines, **kwargs):
    kwargs.setdefault("channel", Order.Channel.STORE)
    kwargs.setdefault("ordered_at", when(1))
    order, _created = services.order_record(actor=None, customer=customer, lines=lines, **kwargs)
    return order


def test_line_revenue_is_net_of_vat_and_discount():
    inclusive = services.line_amounts(
        quantity=D(2),
        unit_price=D("107.00"),
        discount=D("0"),
        unit_cost=D("40"),
        price_includes_vat=True,
    )
    assert (inclusive.revenue, inclusive.vat, inclusive.cost, inclusive.profit) == (
        D("200.00"),
        D("14.00"),
        D("80.00"),
        D("120.00"),
    )
    exclusive = services.line_amounts(
        quantity=D(1),
        unit_price=D("200"),
        discount=D("20"),
        unit_cost=D("50"),
        price_includes_vat=False,
        is_refund=True,
    )
    assert (exclusive.revenue, exclusive.vat, exclusive.profit) == (
        D("-180.00"),
        D("-12.60"),
        D("-130.00"),
    )


def test_order_keeps_totals_rollup_timeline_and_audit(tea, cup):
    customer = CustomerFactory()
    order = record(customer, [LineInput("TEA", "2"), LineInput(cup.pk, 1, discount="20")])
    assert order.number == "SO-2026-000001"
    assert (order.revenue, order.vat, order.total, order.profit) == (
        D("380.00"),
        D("26.60"),
        D("406.60"),
        D("250.00"),
    )
    sales = CustomerActivity.objects.get(pk=customer.pk)
    assert (sales.revenue, sales.profit, sales.order_count) == (D("380.00"), D("250.00"), 1)
    assert sales.first_purchase_at == sales.last_purchase_at == when(1)
    [purchase], _ = timeline_page(UserFactory(is_superuser=True), customer)
    assert "SO-2026-000001" in purchase.summary and purchase.occurred_at == when(1)
    assert (purchase.kind, purchase.url) == ("purchase", f"/sales/orders/{order.pk}/")
    assert AuditEvent.objects.filter(subject_type="sales.order", customer_id=customer.pk).exists()

    record(customer, [LineInput("TEA", 1)], ordered_at=when(5))
    sales.refresh_from_db()
    assert (sales.order_count, sales.revenue) == (2, D("480.00"))
    assert (sales.first_purchase_at, sales.last_purchase_at) == (when(1), when(5))
    assert record(customer, [LineInput("TEA", 1)]).number == "SO-2026-000003"


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (LineInput("TEA", "-1"), "lines.0.quantity", "above 0"),
        (LineInput("TEA", "0"), "lines.0.quantity", "above 0"),
        (LineInput("TEA", "abc"), "lines.0.quantity", "number"),
        (LineInput("TEA", "NaN"), "lines.0.quantity", "number"),
        (LineInput("TEA", "1", discount="200"), "lines.0.discount", "between 0"),
        (LineInput("TEA", "1", discount="-5"), "lines.0.discount", "between 0"),
        (LineInput("TEA", "1", unit_price="-1"), "lines.0.unit_price", "negative"),
        (LineInput("TEA", "2", unit_price="9999999999"), "lines.0.unit_price", "at most"),
        (LineInput("TEA", True), "lines.0.quantity", "number"),
        (LineInput("NOPE", "1"), "lines.0.product", "NOPE"),
        (LineInput(999999, "1"), "lines.0.product", "999999"),
    ],
)
def test_bad_lines_name_the_field_and_write_nothing(tea, line, field, message):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as raised:
        record(customer, [LineInput("TEA", 1), line])
    assert message in " ".join(raised.value.message_dict[field.replace("0", "1", 1)])
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not CustomerActivity.objects.exists()
    assert not AuditEvent.objects.filter(subject_type="sales.order").exists()


def test_order_without_lines_or_with_a_bad_channel_is_refused(tea):
    customer = CustomerFactory()
    with pytest.raises(ValidationError, match="at least one line"):
        record(customer, [])
    with pytest.raises(ValidationError) as raised:
        record(customer, [LineInput("TEA", 1)], channel="fax")
    assert "channel" in raised.value.message_dict
    assert not Order.objects.exists()


def test_an_order_total_beyond_the_money_columns_is_refused(tea):
    """Each line within its limit, their sum not: refused with a message, nothing written
    (PostgreSQL would otherwise fail the insert on the numeric column)."""
    customer = CustomerFactory()
    line = LineInput("TEA", "1000", unit_price="9000000")  # ฿9,000,000,000 a line
    with pytest.raises(ValidationError) as raised:
        record(customer, [line] * 120)
    assert "at most" in " ".join(raised.value.message_dict["lines"])
    assert not Order.objects.exists()


def test_external_id_makes_a_retry_return_the_first_order(tea):
    customer = CustomerFactory()
    first, created = services.order_record(
        actor=None,
        customer=customer,
        lines=[LineInput("TEA", 1)],
        channel="online",
        external_id="shop-42",
    )
    again, created_again = services.order_record(
        actor=None,
        customer=customer,
        lines=[LineInput("TEA", 5)],
        channel="online",
        external_id="shop-42",
    )
    assert created and not created_again and again.pk == first.pk
    assert Order.objects.count() == 1
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 1
    # A retry that would now fail its checks (customer archived since) still gets it back;
    # a new external id for the same archived customer is refused.
    customer.archived_at = timezone.now()
    customer.save()
    retried, _ = services.order_record(
        actor=None,
        customer=customer,
        lines=[LineInput("TEA", 1)],
        channel="online",
        external_id="shop-42",
    )
    assert retried.pk == first.pk
    with pytest.raises(ValidationError):
        services.order_record(
            actor=None,
            customer=customer,
            lines=[LineInput("TEA", 1)],
            channel="online",
            external_id="shop-43",
        )


def test_refund_lines_reduce_revenue_at_the_price_paid(tea):
    customer = CustomerFactory()
    order = record(customer, [LineInput("TEA", 3, discount="21.00")])  # 300 ex VAT - 19.63
    tea.list_price = D("999")
    tea.save()
    order = services.order_refund(actor=None, order=order, lines=[LineInput(tea.pk, 1)])
    refund = order.lines.get(is_refund=True)
    assert refund.unit_price == D("100.00") and refund.revenue == D("-93.46")
    assert CustomerActivity.objects.get(pk=customer.pk).revenue == order.revenue
    with pytest.raises(ValidationError) as raised:
        services.order_refund(actor=None, order=order, lines=[LineInput(tea.pk, 3)])
    assert "At most 2" in raised.value.message_dict["lines.0.quantity"][0]


def test_cancelling_takes_the_order_out_of_the_rollup(tea):
    customer = CustomerFactory()
    first = record(customer, [LineInput("TEA", 1)], ordered_at=when(1))
    record(customer, [LineInput("TEA", 2)], ordered_at=when(9))
    services.order_set_status(actor=None, order=first, status=Order.Status.CANCELLED)
    sales = CustomerActivity.objects.get(pk=customer.pk)
    assert (sales.order_count, sales.revenue, sales.first_purchase_at) == (1, D("200.00"), when(9))
    services.order_set_status(actor=None, order=first, status=Order.Status.PAID)
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 2
    with pytest.raises(ValidationError):
        services.order_set_status(actor=None, order=first, status="lost")


def test_rebuild_agrees_with_the_incremental_rollups(tea, cup):
    customers = [CustomerFactory() for _ in range(4)]
    for index, customer in enumerate(customers):
        for day in range(1, index + 2):
            order = record(
                customer, [LineInput("TEA", day), LineInput("CUP", 1)], ordered_at=when(day)
            )
        if index == 2:
            services.order_refund(actor=None, order=order, lines=[LineInput(cup.pk, 1)])
        if index == 3:
            services.order_set_status(actor=None, order=order, status=Order.Status.REFUNDED)
    fields = (
        "customer_id",
        "revenue",
        "profit",
        "order_count",
        "first_purchase_at",
        "last_purchase_at",
    )
    incremental = sorted(CustomerActivity.objects.values_list(*fields))
    call_command("analytics_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(CustomerActivity.objects.values_list(*fields)) == incremental
    assert len(incremental) == 4


def test_archived_customer_cannot_buy(tea):
    customer = CustomerFactory(archived_at=timezone.now())
    with pytest.raises(ValidationError) as raised:
        record(customer, [LineInput("TEA", 1)])
    assert "customer" in raised.value.message_dict


def test_a_time_without_a_zone_is_read_in_bangkok(tea):
    customer = CustomerFactory()
    order = record(customer, [LineInput("TEA", 1)], ordered_at=dt.datetime(2026, 3, 1, 9, 30))  # noqa: DTZ001
    order.refresh_from_db()
    assert order.ordered_at == dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)
    sales = CustomerActivity.objects.get(pk=customer.pk)
    assert sales.first_purchase_at == order.ordered_at
