"""Rewards redeemed into vouchers: the points taken once, the stock, the limit per member,
the tier, the offer's dates; a voucher used once before it expires; a cancelled one gives
the points and the stock back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samphan.core.models import AuditEvent
from samphan.loyalty.models import PointsEntry, Reward, Voucher
from samphan.loyalty.services import balance_of, members_rebuild, points_record
from samphan.loyalty.services.expiry import loyalty_nightly
from samphan.loyalty.services.rewards import (
    ALPHABET,
    reward_redeem,
    voucher_cancel,
    voucher_use,
)
from samphan.loyalty.services.rules import programme_save
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 8)


@pytest.fixture
def member(db):
    customer = CustomerFactory()
    points_record(actor=None, customer=customer, kind="adjust", points=1000)
    return customer


@pytest.fixture
def latte(db):
    return Reward.objects.create(name="ลาเต้เย็น", name_en="Iced latte", points=300,
                                 stock=2, per_member=1, voucher_days=14)  # fmt: skip


def refused(**kwargs) -> str:
    with pytest.raises(ValidationError) as raised:
        reward_redeem(actor=None, today=TODAY, **kwargs)
    return " ".join(raised.value.message_dict["reward"])


def test_a_redemption_takes_the_points_once_and_makes_a_voucher(member, latte, admin_user):
    voucher, created = reward_redeem(actor=admin_user, customer=member, reward=latte, today=TODAY)
    assert created and balance_of(member.pk) == 700
    assert len(voucher.code) == 9 and voucher.code[0] == "V"
    assert set(voucher.code[1:]) <= set(ALPHABET)
    assert voucher.expires_on == dt.date(2026, 12, 22) and voucher.status == "issued"
    entry = voucher.entry
    assert (entry.kind, entry.cause, entry.points) == ("redeem", "reward", -300)
    latte.refresh_from_db()
    assert latte.stock == 1
    assert AuditEvent.objects.filter(subject_type="loyalty.voucher").count() == 1
    assert members_rebuild() == 0


def test_limits_stock_tier_dates_and_balance(member, latte):
    reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)
    assert "At most 1 per member" in refused(customer=member, reward=latte)
    other = CustomerFactory()
    points_record(actor=None, customer=other, kind="adjust", points=300)
    reward_redeem(actor=None, customer=other, reward=latte, today=TODAY)  # the last one
    third = CustomerFactory()
    points_record(actor=None, customer=third, kind="adjust", points=5000)
    assert "Out of stock" in refused(customer=third, reward=latte)
    gold_only = Reward.objects.create(name="ห้องรับรอง", points=100, min_tier="gold")
    assert "Gold members and above" in refused(customer=third, reward=gold_only)
    later = Reward.objects.create(name="ของขวัญปีใหม่", points=100, starts_on=dt.date(2027, 1, 1))
    assert "not offered now" in refused(customer=third, reward=later)
    pricey = Reward.objects.create(name="กระเป๋า", points=6000)
    assert "Only 5,000 points are available" in refused(customer=third, reward=pricey)
    assert balance_of(third.pk) == 5000 and not Voucher.objects.filter(customer=third).exists()


def test_a_voucher_is_used_once_before_it_expires(member, latte, admin_user):
    voucher, _ = reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)
    used = voucher_use(actor=admin_user, code=f"  {voucher.code.lower()} ", today=TODAY)
    assert used.status == "used" and used.used_by == admin_user
    with pytest.raises(ValidationError) as raised:
        voucher_use(actor=admin_user, code=voucher.code, today=TODAY)
    assert "was used on" in raised.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as raised:
        voucher_use(actor=admin_user, code="VNOSUCH00", today=TODAY)
    assert "No voucher has this code" in raised.value.message_dict["code"][0]


def test_an_expired_voucher_is_refused(member, latte):
    voucher, _ = reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)
    with pytest.raises(ValidationError) as raised:
        voucher_use(actor=None, code=voucher.code, today=dt.date(2026, 12, 23))
    assert "expired on" in raised.value.message_dict["code"][0]
    assert voucher_use(actor=None, code=voucher.code, today=dt.date(2026, 12, 22)).status == "used"


def test_a_voucher_for_an_order_must_be_the_buyers(member, latte):
    voucher, _ = reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)
    product = ProductFactory(list_price=Decimal("107.00"))
    theirs, _ = sales.order_record(actor=None, customer=CustomerFactory(), channel="store",
                                   lines=[LineInput(product.pk, 1)])  # fmt: skip
    with pytest.raises(ValidationError):
        voucher_use(actor=None, code=voucher.code, order=theirs, today=TODAY)
    mine, _ = sales.order_record(actor=None, customer=member, channel="store",
                                 lines=[LineInput(product.pk, 1)])  # fmt: skip
    assert voucher_use(actor=None, code=voucher.code, order=mine, today=TODAY).order == mine


def test_cancelling_gives_the_points_and_the_stock_back(member, latte):
    voucher, _ = reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)
    voucher_cancel(actor=None, voucher=voucher)
    latte.refresh_from_db()
    assert balance_of(member.pk) == 1000 and latte.stock == 2
    assert PointsEntry.objects.filter(cause="reward").count() == 2
    with pytest.raises(ValidationError):
        voucher_cancel(actor=None, voucher=voucher)
    # The limit per member counts no cancelled voucher.
    assert reward_redeem(actor=None, customer=member, reward=latte, today=TODAY)[1]


def test_points_given_back_by_a_cancelled_voucher_expire_as_the_spent_ones_would(latte):
    """100 earned expiring 10 February, 300 redeemed then given back: the 100 are unspent
    and expire; before the cancellation nothing would have."""
    programme_save(actor=None, fields={"expiry": "months", "expiry_months": 1, "remind_days": 0})
    customer = CustomerFactory()
    product = ProductFactory(list_price=Decimal("107.00"))  # 4 points a unit
    sales.order_record(actor=None, customer=customer, channel="store",
                       lines=[LineInput(product.pk, 100)],
                       ordered_at=dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC))  # fmt: skip
    cheap = Reward.objects.create(name="น้ำ", points=400)
    voucher, _ = reward_redeem(
        actor=None, customer=customer, reward=cheap, today=dt.date(2026, 1, 20)
    )
    voucher_cancel(actor=None, voucher=voucher)
    loyalty_nightly(dt.date(2026, 2, 11))
    assert balance_of(customer.pk) == 0  # all 400 expired


def test_a_retried_redemption_posts_once(member, latte):
    first, created = reward_redeem(
        actor=None, customer=member, reward=latte, key="app-1", today=TODAY
    )
    again, created_again = reward_redeem(actor=None, customer=member, reward=latte, key="app-1",
                                         today=TODAY)  # fmt: skip
    assert created and not created_again and again.pk == first.pk and balance_of(member.pk) == 700
