"""After any sequence of orders, returns, cancellations, restorations, redemptions and
adjustments, each member's balance equals the sum of their ledger rows, and equals what a
plain model of the programme gives: for each paid order, its net revenue divided by the
baht per point and rounded down, plus what staff changed."""

import math
from contextlib import suppress
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from samphan.loyalty.models import Member, PointsEntry
from samphan.loyalty.services import members_rebuild, points_record
from samphan.sales import services as sales
from samphan.sales.models import Order
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, UserFactory

steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 1), st.integers(1, 9)),  # who, quantity
        st.tuples(st.just("return"), st.integers(0, 5), st.integers(1, 3)),  # order, quantity
        st.tuples(st.just("status"), st.integers(0, 5), st.sampled_from(Order.Status.values)),
        st.tuples(st.just("redeem"), st.integers(0, 1), st.integers(1, 40)),
        st.tuples(st.just("adjust"), st.integers(0, 1), st.integers(-40, 40).filter(bool)),
    ),
    min_size=1,
    max_size=14,
)


def expected(customer_id: int, staff: int) -> int:
    """The plain model: ฿17 before VAT a unit, a point for every ฿25 of an order."""
    per_order = [
        math.floor(order.revenue / Decimal(25))
        for order in Order.objects.filter(customer_id=customer_id, status="paid")
        if order.revenue > 0
    ]
    return sum(per_order) + staff


class TestBalanceEqualsLedger(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_any_sequence(self, sequence):
        actor = UserFactory(role="admin")
        customers = [CustomerFactory() for _ in range(2)]
        product = ProductFactory(list_price=Decimal("18.19"))  # ฿17.00 before VAT
        orders: list[Order] = []
        staff = [0, 0]
        for step in sequence:
            match step:
                case ("order", who, quantity):
                    order, _ = sales.order_record(actor=actor, customer=customers[who],
                                                  channel="store", lines=[LineInput(product.pk, quantity)])  # fmt: skip
                    orders.append(order)
                case ("return", index, quantity) if index < len(orders):
                    # More than is left, or not paid: refused, nothing written.
                    with suppress(ValidationError):
                        sales.order_refund(actor=actor, order=orders[index],
                                           lines=[LineInput(product.pk, quantity)])  # fmt: skip
                case ("status", index, status) if index < len(orders):
                    sales.order_set_status(actor=actor, order=orders[index], status=status)
                case ("redeem" | "adjust" as kind, who, points):
                    try:
                        points_record(actor=actor, customer=customers[who], kind=kind,
                                      points=points)  # fmt: skip
                    except ValidationError:
                        continue  # more than the balance: refused, nothing written
                    staff[who] += -points if kind == "redeem" else points
        for who, customer in enumerate(customers):
            kept = Member.objects.filter(pk=customer.pk).values_list("points", flat=True).first()
            rows = sum(
                PointsEntry.objects.filter(customer=customer).values_list("points", flat=True)
            )
            assert (kept or 0) == rows == expected(customer.pk, staff[who]), step
        assert members_rebuild() == 0
