"""Referrals: a friend linked by the member's code or link, rewarded on both sides once the
friend's first paid order of the programme's amount has stood unrefunded for its days; the
fraud rules (the same person, the same device, too many at once, the month's limit)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from samphan.customers.models import Customer
from samphan.customers.services import customer_update
from samphan.loyalty.models import PointsEntry, Referral
from samphan.loyalty.services import balance_of, members_rebuild
from samphan.loyalty.services.expiry import loyalty_nightly
from samphan.loyalty.services.referrals import (
    referral_code_of,
    referral_decide,
    referral_link,
    referral_tree,
    referrals_reward,
    referrer_by_code,
)
from samphan.loyalty.services.rewards import ALPHABET
from samphan.loyalty.services.rules import programme_save
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
DEC_1 = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)  # 10:00 in Bangkok


@pytest.fixture
def baht_535(db):
    return ProductFactory(list_price=Decimal("535.00"))  # ฿500 before VAT, ฿535 paid


@pytest.fixture
def somchai(db):
    return CustomerFactory(first_name="สมชาย", member_number="M202600001")


def link(referrer, friend, **kwargs):
    kwargs.setdefault("channel", "staff")
    return referral_link(actor=None, referrer=referrer, friend=friend, **kwargs)


def buy(customer, product, units=1, at=DEC_1):
    order, _ = sales.order_record(actor=None, customer=customer, channel="store",
                                  lines=[LineInput(product.pk, units)], ordered_at=at)  # fmt: skip
    return order


def referral_points(customer) -> int:
    entries = PointsEntry.objects.filter(customer=customer, cause="referral")
    return sum(entries.values_list("points", flat=True))


def test_a_member_keeps_one_code_of_unambiguous_letters(somchai):
    code = referral_code_of(somchai.pk)
    assert len(code) == 7 and set(code) <= set(ALPHABET)
    assert referral_code_of(somchai.pk) == code
    assert referrer_by_code(code.lower()) == somchai
    assert referrer_by_code("NOSUCH1") is None and referrer_by_code("") is None


def test_both_are_rewarded_once_the_first_order_has_stood_its_days(somchai, baht_535):
    friend = CustomerFactory(first_name="มะลิ")
    referral = link(somchai, friend)
    assert referral.status == "pending"
    friend.refresh_from_db()
    assert friend.referred_by_id == somchai.pk and friend.source == "referral"
    order = buy(friend, baht_535)
    referral.refresh_from_db()
    # Ordered on 1 December (Bangkok); 14 days to stand: rewarded from 15 December.
    assert (referral.status, referral.order_id) == ("holding", order.pk)
    assert referral.qualifies_on == dt.date(2026, 12, 15)
    assert referrals_reward(dt.date(2026, 12, 14)) == 0
    assert referrals_reward(dt.date(2026, 12, 15)) == 1
    referral.refresh_from_db()
    assert referral.status == "rewarded"
    assert referral_points(somchai) == 200 and referral_points(friend) == 100
    # The friend's order earned its own points too: ฿500 / 25 = 20.
    assert balance_of(friend.pk) == 120 and balance_of(somchai.pk) == 200
    assert referrals_reward(dt.date(2026, 12, 16)) == 0  # nothing twice
    assert members_rebuild() == 0
    loyalty_nightly(dt.date(2026, 12, 16))  # the reward's points expire like an order's
    assert balance_of(somchai.pk) == 200
    reward = PointsEntry.objects.get(customer=somchai, cause="referral")
    assert reward.expires_on == dt.date(2028, 12, 15)  # 24 months by default


def test_an_order_under_the_amount_does_not_qualify(somchai, baht_535):
    friend = CustomerFactory()
    referral = link(somchai, friend)
    cheap = ProductFactory(list_price=Decimal("106.00"))
    buy(friend, cheap, units=4)  # ฿424 paid: under ฿500
    referral.refresh_from_db()
    assert referral.status == "pending"
    buy(friend, baht_535, at=DEC_1 + dt.timedelta(days=3))
    referral.refresh_from_db()
    assert referral.status == "holding" and referral.qualifies_on == dt.date(2026, 12, 18)


def test_a_refund_within_the_days_takes_the_reward_off_the_table(somchai, baht_535):
    friend = CustomerFactory()
    referral = link(somchai, friend)
    order = buy(friend, baht_535)
    sales.order_set_status(actor=None, order=order, status="refunded")
    assert referrals_reward(dt.date(2026, 12, 20)) == 0
    referral.refresh_from_db()
    assert (referral.status, referral.order_id) == ("pending", None)
    assert referral_points(somchai) == 0 and referral_points(friend) == 0


def test_a_friend_bought_before_the_link_is_held_at_once(somchai, baht_535):
    friend = CustomerFactory()
    buy(friend, baht_535)
    referral = link(somchai, friend, code="X")
    assert referral.status == "holding" and referral.qualifies_on == dt.date(2026, 12, 15)


def test_the_nightly_run_rewards_what_is_due(somchai, baht_535):
    friend = CustomerFactory()
    link(somchai, friend)
    buy(friend, baht_535)
    loyalty_nightly(dt.date(2026, 12, 15))
    assert referral_points(somchai) == 200


def test_a_link_that_cannot_be_made_says_why(somchai):
    with pytest.raises(ValidationError) as raised:
        link(None, somchai)
    assert raised.value.message_dict["code"] == ["No member has this referral code."]
    with pytest.raises(ValidationError) as raised:
        link(somchai, somchai)
    assert "themselves" in raised.value.message_dict["code"][0]
    friend = CustomerFactory()
    other = CustomerFactory()
    link(somchai, friend)
    with pytest.raises(ValidationError) as raised:
        link(other, friend)
    assert "already referred" in raised.value.message_dict["code"][0]
    assert Referral.objects.get(referred=friend).referrer == somchai


def test_the_same_phone_or_address_is_the_same_person(somchai):
    ContactPointFactory(customer=somchai, kind="mobile", value="+66811111111")
    twin = CustomerFactory()
    ContactPointFactory(customer=twin, kind="mobile", value="+66811111111")
    assert link(somchai, twin).reason == "self"
    somchai.address = "12/3 ถนนสุขุมวิท  กรุงเทพฯ"
    somchai.save()
    housemate = CustomerFactory(address="12/3 ถนนสุขุมวิท กรุงเทพฯ")
    referral = link(somchai, housemate)
    assert (referral.status, referral.reason) == ("rejected", "self")


def test_the_same_device_signing_up_a_second_friend_is_refused(somchai):
    assert link(somchai, CustomerFactory(), device="abc").status == "pending"
    assert link(somchai, CustomerFactory(), device="abc").reason == "device"
    assert link(somchai, CustomerFactory(), device="def").status == "pending"


def test_many_friends_at_once_wait_for_review_and_staff_decide(somchai, admin_user, baht_535):
    programme_save(actor=None, fields={"referral_review_over": 2})
    first, second = link(somchai, CustomerFactory()), link(somchai, CustomerFactory())
    third = link(somchai, CustomerFactory())
    assert [first.status, second.status, third.status] == ["pending", "pending", "review"]
    buy(third.referred, baht_535)
    third.refresh_from_db()
    assert third.status == "review"  # not held while under review
    approved = referral_decide(actor=admin_user, referral=third, approve=True)
    assert approved.status == "holding" and approved.decided_by == admin_user
    with pytest.raises(ValidationError):
        referral_decide(actor=admin_user, referral=approved, approve=False)


def test_past_the_month_s_limit_a_referral_is_not_rewarded(somchai, baht_535):
    programme_save(actor=None, fields={"referral_limit_month": 1, "referral_review_over": 0})
    friends = [CustomerFactory(), CustomerFactory()]
    for friend in friends:
        link(somchai, friend)
        buy(friend, baht_535)
    assert referrals_reward(dt.date(2026, 12, 15)) == 1
    statuses = sorted(Referral.objects.values_list("status", "reason"))
    assert statuses == [("rejected", "limit"), ("rewarded", "")]
    assert referral_points(somchai) == 200


def test_staff_naming_the_referrer_on_the_customer_links_the_programme(somchai, admin_user):
    friend = CustomerFactory()
    customer_update(actor=admin_user, customer=friend, fields={"referred_by": somchai})
    referral = Referral.objects.get(referred=friend)
    assert (referral.referrer, referral.channel, referral.status) == (somchai, "staff", "pending")


def test_the_tree_reads_three_levels(somchai):
    a, b = CustomerFactory(first_name="เอ"), CustomerFactory(first_name="บี")
    c, d = CustomerFactory(first_name="ซี"), CustomerFactory(first_name="ดี")
    link(somchai, a)
    link(somchai, b)
    link(a, c)
    link(c, d)
    tree = [(level, r.referred.first_name) for level, r in referral_tree(somchai.pk)]
    assert tree == [(0, "เอ"), (1, "ซี"), (2, "ดี"), (0, "บี")]


def test_a_friend_signs_up_with_the_link(somchai):
    code = referral_code_of(somchai.pk)
    page = Client().get(f"/p/r/{code}/")
    invitation = page.content.decode().split('class="notice invitation">')[1].split("</p>")[0]
    assert page.status_code == 200 and (somchai.nickname or "สมชาย") in invitation
    assert "100" in invitation and "500" in invitation
    assert Client().get("/p/r/NOSUCH9/").status_code == 404
    answer = Client().post(
        f"/p/r/{code}/", {"first_name": "มะลิ", "mobile": "089 111 2222"}, HTTP_USER_AGENT="x"
    )
    assert answer.status_code == 200
    friend = Customer.objects.get(first_name="มะลิ")
    referral = Referral.objects.get(referred=friend)
    assert (referral.referrer, referral.channel, referral.code) == (somchai, "signup", code)
    assert len(referral.device) == 64 and friend.source == "referral"
    # The same phone again is the same person: known, so no second referral.
    Client().post(f"/p/r/{code}/", {"first_name": "มะลิ", "mobile": "0891112222"})
    assert Referral.objects.count() == 1


def test_a_member_rewarded_for_two_friends_at_once_is_told_once_of_both(somchai, baht_535):
    from samphan.customers.services import consent_record
    from samphan.messaging.models import Message

    ContactPointFactory(customer=somchai, kind="mobile", value="+66812223333")
    consent_record(actor=None, customer=somchai, channel="sms", purpose="service",
                   status="granted", source="form")  # fmt: skip
    for friend in (CustomerFactory(), CustomerFactory()):
        link(somchai, friend)
        buy(friend, baht_535)
    assert referrals_reward(dt.date(2026, 12, 15)) == 2
    told = Message.objects.filter(customer=somchai)
    assert told.count() == 1 and "400" in told.get().text
