"""Tiers by spend in a rolling 12-month window (the defaults: Silver from ฿10,000, Gold from
฿50,000, Platinum from ฿150,000; Gold earns ×1.5, Platinum ×2), each case worked out by
hand: up at once, down only after a review and its grace, the card's "฿3,200 to Gold"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samphan.customers.models import Customer
from samphan.customers.services import consent_record
from samphan.frontdesk.notes import arrival_notes
from samphan.loyalty.models import Member, PointsEntry, TierChange
from samphan.loyalty.services import balance_of
from samphan.loyalty.services.expiry import loyalty_nightly
from samphan.loyalty.services.rules import programme_save
from samphan.loyalty.services.tiers import is_review_day, tiers_review
from samphan.messaging.models import Message
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def baht_1000(db):
    return ProductFactory(list_price=Decimal("1070.00"))  # ฿1,000 before VAT


def buy(customer, product, units, at=None):
    order, _ = sales.order_record(actor=None, customer=customer, channel="store",
                                  lines=[LineInput(product.pk, units)], ordered_at=at)  # fmt: skip
    return order


def tier_of(customer) -> str:
    return Customer.objects.get(pk=customer.pk).tier


def test_an_order_over_the_threshold_moves_the_member_up_at_once_and_tells_them(baht_1000):
    customer = CustomerFactory(first_name="มานะ")
    ContactPointFactory(customer=customer, kind="email", value="mana@example.com")
    consent_record(actor=None, customer=customer, channel="email", purpose="service",
                   status="granted", source="import")  # fmt: skip
    buy(customer, baht_1000, 9)
    assert tier_of(customer) == "none"
    buy(customer, baht_1000, 2)  # ฿11,000 in the window
    assert tier_of(customer) == "silver"
    change = TierChange.objects.get()
    assert (change.from_tier, change.to_tier, change.reason, change.amount) == (
        "none", "silver", "qualified", Decimal("11000.00"))  # fmt: skip
    assert (
        "Silver" in Message.objects.get(customer=customer).text
        or "ซิลเวอร์" in Message.objects.get(customer=customer).text
    )


def test_spend_outside_the_window_does_not_count(baht_1000):
    customer = CustomerFactory()
    buy(customer, baht_1000, 60, at=timezone.now() - dt.timedelta(days=400))
    buy(customer, baht_1000, 1)
    assert tier_of(customer) == "none"  # ฿1,000 in the last 12 months


def test_a_gold_member_earns_half_as_much_again(baht_1000):
    customer = CustomerFactory(tier="gold")
    order = buy(customer, baht_1000, 1)  # ฿1,000: 40 points, ×1.5
    entry = PointsEntry.objects.get(order=order)
    assert entry.points == 60 and entry.basis["rate"] == "1.5" and entry.basis["tier"] == "gold"
    assert balance_of(customer.pk) == 60


def test_the_order_that_makes_a_member_gold_earns_at_the_old_rate(baht_1000):
    customer = CustomerFactory()
    order = buy(customer, baht_1000, 50)  # ฿50,000: 2,000 points, then Gold
    assert PointsEntry.objects.get(order=order).points == 2000 and tier_of(customer) == "gold"


def test_down_only_after_a_review_and_its_grace(baht_1000):
    customer = CustomerFactory(tier="gold")
    buy(customer, baht_1000, 20)  # ฿20,000: Silver's level
    first = dt.date(2027, 1, 1)
    with_window = dt.timedelta(days=0)
    assert tiers_review_on(first + with_window) == (0, 0)
    assert tier_of(customer) == "gold"
    assert Member.objects.get(pk=customer.pk).grace_until == dt.date(2027, 1, 31)
    assert tiers_review_on(dt.date(2027, 1, 31)) == (0, 0)  # the grace's last day
    assert tiers_review_on(dt.date(2027, 2, 1)) == (0, 1)
    assert tier_of(customer) == "silver"
    change = TierChange.objects.get(reason="review")
    assert (change.from_tier, change.to_tier) == ("gold", "silver")


def tiers_review_on(day):
    from samphan.loyalty.services import programme_current

    with timezone.override("Asia/Bangkok"):
        return tiers_review(programme_current(), day)


def test_qualifying_again_in_the_grace_keeps_the_tier(baht_1000):
    customer = CustomerFactory(tier="gold")
    buy(customer, baht_1000, 20)
    tiers_review_on(dt.date(2027, 1, 1))
    buy(customer, baht_1000, 30)  # ฿50,000 again
    assert tiers_review_on(dt.date(2027, 2, 1)) == (0, 0)
    assert tier_of(customer) == "gold" and Member.objects.get(pk=customer.pk).grace_until is None


def test_review_days():
    from samphan.loyalty.models import Programme

    monthly, quarterly, yearly = (
        Programme(tier_review=r) for r in ("monthly", "quarterly", "yearly")
    )
    assert is_review_day(monthly, dt.date(2027, 5, 1)) and not is_review_day(
        monthly, dt.date(2027, 5, 2)
    )
    assert is_review_day(quarterly, dt.date(2027, 4, 1)) and not is_review_day(
        quarterly, dt.date(2027, 5, 1)
    )
    assert is_review_day(yearly, dt.date(2027, 1, 1)) and not is_review_day(
        yearly, dt.date(2027, 4, 1)
    )


def test_tiers_set_by_staff_stay(baht_1000):
    programme_save(actor=None, fields={"tiers_by": "staff"})
    customer = CustomerFactory(tier="platinum")
    buy(customer, baht_1000, 60)
    assert tier_of(customer) == "platinum"
    loyalty_nightly(dt.date(2027, 1, 1))
    loyalty_nightly(dt.date(2027, 3, 1))
    assert tier_of(customer) == "platinum" and not TierChange.objects.exists()


def test_tiers_by_points(baht_1000):
    programme_save(actor=None, fields={"tiers_by": "points", "silver_from": 500,
                                       "gold_from": 2000, "platinum_from": 6000})  # fmt: skip
    customer = CustomerFactory()
    buy(customer, baht_1000, 12)  # 480 points
    assert tier_of(customer) == "none"
    buy(customer, baht_1000, 1)  # 520
    assert tier_of(customer) == "silver"


def test_the_desk_card_says_how_far_the_next_tier_is(baht_1000, admin_user):
    customer = CustomerFactory(tier="silver")
    for _ in range(4):
        buy(customer, baht_1000, 11)  # ฿44,000
    buy(customer, ProductFactory(list_price=Decimal("2996.00")), 1)  # ฿2,800: ฿46,800
    assert tier_of(customer) == "silver"
    notes = arrival_notes(Customer.objects.get(pk=customer.pk), admin_user)
    assert "1,872 points · ฿3,200 to Gold" in notes  # 44 × 40 + 112 points
    assert not any("points" in note for note in arrival_notes(customer, None))  # the alert


def test_thresholds_climb(db):
    with pytest.raises(ValidationError) as raised:
        programme_save(actor=None, fields={"gold_from": 5000})  # below Silver's 10,000
    assert "Silver, then Gold" in raised.value.message_dict["gold_from"][0]


def test_a_tier_set_by_staff_goes_into_the_history(admin_user):
    from samphan.customers.services import customer_create, customer_update
    from samphan.loyalty.models import TierChange

    anne = customer_create(actor=admin_user, fields={"kind": "person", "first_name": "แอน"})
    assert not TierChange.objects.filter(customer=anne).exists()  # "none" is no change
    customer_update(actor=admin_user, customer=anne, fields={"tier": "gold"})
    customer_update(actor=admin_user, customer=anne, fields={"tier": "gold"})  # unchanged
    changes = list(
        TierChange.objects.filter(customer=anne).values_list("from_tier", "to_tier", "reason")
    )
    assert changes == [("none", "gold", "staff")]


def test_the_tier_through_the_api(baht_1000, admin_user):
    from tests.conftest import token_client

    anne = CustomerFactory()
    buy(anne, baht_1000, 12)  # ฿12,000 before VAT: Silver, ฿38,000 short of Gold
    answer = token_client(admin_user).get(f"/api/v1/customers/{anne.pk}/tier")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["tier"], body["next_tier"], body["short_by"]) == ("silver", "gold", "38000.00")
    assert body["window_amount"] == "12000.00" and body["tiers_by"] == "spend"
    assert [(c["from_tier"], c["to_tier"], c["reason"]) for c in body["history"]] == [
        ("none", "silver", "qualified")
    ]
    assert token_client(admin_user).get("/api/v1/customers/999999/tier").status_code == 404
