"""Points on the customer's timeline: a redemption, a staff change and a referral reward
show, newest first, beside the order (whose own points do not show twice)."""

import datetime as dt
from decimal import Decimal

import pytest

from samphan.customers.timeline import timeline_page
from samphan.loyalty.models import Reward
from samphan.loyalty.services import points_record
from samphan.loyalty.services.rewards import reward_redeem
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_points_changes_are_on_the_timeline_and_orders_points_are_not(admin_user):
    anne = CustomerFactory()
    product = ProductFactory(list_price=Decimal("535.00"))
    sales.order_record(actor=None, customer=anne, channel="store", lines=[LineInput(product.pk, 1)],
                       ordered_at=dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC))  # fmt: skip
    points_record(actor=admin_user, customer=anne, kind="adjust", points=500, note="ชดเชย")
    latte = Reward.objects.create(name="ลาเต้เย็น", points=300)
    reward_redeem(actor=admin_user, customer=anne, reward=latte)
    entries, _older = timeline_page(admin_user, anne)
    points = [e for e in entries if e.source == "points"]
    assert [e.summary.split(" ")[0] for e in points] == ["-300", "+500"]
    assert points[1].body == "ชดเชย" and points[1].user == admin_user
    assert [e.source for e in entries][-1] == "order"  # the order's +20 is not repeated
    only_points, _ = timeline_page(admin_user, anne, kind="points")
    assert [e.source for e in only_points] == ["points", "points"]
