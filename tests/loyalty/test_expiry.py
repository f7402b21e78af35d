"""Points expire first in first out, once a day, and members are reminded before, each
case against points worked out by hand. Points expire a month after the order here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail  # noqa: F401 - the outbox is read from the database here

from samphan.customers.services import consent_record
from samphan.loyalty.models import NightlyRun, PointsEntry
from samphan.loyalty.services import balance_of, members_rebuild, points_record
from samphan.loyalty.services.expiry import loyalty_nightly
from samphan.loyalty.services.rules import programme_save
from samphan.messaging.models import Message
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
JAN_10 = dt.datetime(2026, 1, 10, 3, tzinfo=dt.UTC)  # points expire on 10 February
FEB_20 = dt.datetime(2026, 2, 20, 3, tzinfo=dt.UTC)  # on 20 March


@pytest.fixture
def monthly(db):
    programme_save(actor=None, fields={"expiry": "months", "expiry_months": 1, "remind_days": 0})


@pytest.fixture
def baht_100(db):
    return ProductFactory(list_price=Decimal("107.00"))  # ฿100 before VAT: 4 points a unit


def buy(customer, product, units, at):
    order, _ = sales.order_record(actor=None, customer=customer, channel="store",
                                  lines=[LineInput(product.pk, units)], ordered_at=at)  # fmt: skip
    return order


def expired(customer) -> int:
    return -sum(
        PointsEntry.objects.filter(customer=customer, kind="expire").values_list(
            "points", flat=True
        )
    )


def test_the_oldest_points_are_spent_first_and_the_rest_expire(monthly, baht_100):
    customer = CustomerFactory()
    buy(customer, baht_100, 25, JAN_10)  # 100 points, expiring 10 February
    buy(customer, baht_100, 12, FEB_20)  # 48, expiring 20 March
    points_record(actor=None, customer=customer, kind="redeem", points=30)
    assert loyalty_nightly(dt.date(2026, 2, 10)).expired == 0  # still valid that day
    assert loyalty_nightly(dt.date(2026, 2, 11)).expired == 1
    assert expired(customer) == 70 and balance_of(customer.pk) == 48  # 100 − 30 spent
    assert loyalty_nightly(dt.date(2026, 2, 11)) is None  # the day is done
    loyalty_nightly(dt.date(2026, 2, 12))
    assert expired(customer) == 70
    loyalty_nightly(dt.date(2026, 3, 21))
    assert expired(customer) == 118 and balance_of(customer.pk) == 0
    assert members_rebuild() == 0


def test_spending_more_than_the_oldest_batch_takes_from_the_next(monthly, baht_100):
    customer = CustomerFactory()
    buy(customer, baht_100, 25, JAN_10)  # 100
    buy(customer, baht_100, 12, FEB_20)  # 48
    points_record(actor=None, customer=customer, kind="redeem", points=120)
    loyalty_nightly(dt.date(2026, 2, 11))
    assert expired(customer) == 0  # all 100 were spent
    loyalty_nightly(dt.date(2026, 3, 21))
    assert expired(customer) == 28 and balance_of(customer.pk) == 0  # 48 − the other 20


def test_a_refund_after_spending_leaves_nothing_to_expire(monthly, baht_100):
    customer = CustomerFactory()
    order = buy(customer, baht_100, 25, JAN_10)
    points_record(actor=None, customer=customer, kind="redeem", points=100)
    sales.order_set_status(actor=None, order=order, status="refunded")
    assert balance_of(customer.pk) == -100
    loyalty_nightly(dt.date(2026, 2, 11))
    assert expired(customer) == 0 and balance_of(customer.pk) == -100


def test_points_by_hand_never_expire(monthly, baht_100):
    customer = CustomerFactory()
    points_record(actor=None, customer=customer, kind="adjust", points=40)
    buy(customer, baht_100, 25, JAN_10)
    loyalty_nightly(dt.date(2027, 1, 1))
    assert expired(customer) == 100 and balance_of(customer.pk) == 40


def test_a_back_dated_import_after_a_run_expires_at_the_next(monthly, baht_100):
    first = CustomerFactory()
    buy(first, baht_100, 1, FEB_20)
    loyalty_nightly(dt.date(2026, 6, 1))
    late = CustomerFactory()
    buy(late, baht_100, 5, JAN_10)  # its points expired in February, before that run
    loyalty_nightly(dt.date(2026, 6, 2))
    assert expired(late) == 20 and balance_of(late.pk) == 0
    assert NightlyRun.objects.get().expired == 1


def test_members_are_reminded_once_by_a_channel_they_may_be_reached_on(baht_100):
    programme_save(actor=None, fields={"expiry": "months", "expiry_months": 1, "remind_days": 30})
    reachable = CustomerFactory(first_name="มานี", nickname="นี")
    ContactPointFactory(customer=reachable, kind="email", value="manee@example.com")
    consent_record(actor=None, customer=reachable, channel="email", purpose="service",
                   status="granted", source="import")  # fmt: skip
    unreachable = CustomerFactory()  # no address
    for customer in (reachable, unreachable):
        buy(customer, baht_100, 25, JAN_10)  # 100 expiring 10 February
    assert loyalty_nightly(dt.date(2026, 1, 5)).reminded == 0  # 36 days ahead: not yet
    assert loyalty_nightly(dt.date(2026, 1, 12)).reminded == 1
    message = Message.objects.get()
    assert message.customer_id == reachable.pk and message.purpose == "service"
    assert "100" in message.text and "10 ก.พ. 2569" in message.text, message.text
    loyalty_nightly(dt.date(2026, 1, 13))
    assert Message.objects.count() == 1  # once for that expiry date


def test_no_reminders_when_switched_off(monthly, baht_100):
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, kind="email", value="a@example.com")
    buy(customer, baht_100, 25, JAN_10)
    assert loyalty_nightly(dt.date(2026, 2, 1)).reminded == 0
    assert not Message.objects.exists()


def test_the_panel_says_what_expires_next(admin_user, monthly, baht_100):
    from tests.analytics.test_views import login

    customer = CustomerFactory()
    buy(customer, baht_100, 25, None)  # today: 100 points expiring in a month
    buy(customer, baht_100, 5, None)  # 20 more, the same day
    text = login(admin_user).get(f"/points/customers/{customer.pk}/").content.decode()
    assert "120 points expire on" in text


def test_the_panel_names_the_next_date_not_one_passed(admin_user, monthly, baht_100):
    from tests.analytics.test_views import login

    customer = CustomerFactory()
    buy(customer, baht_100, 25, JAN_10)  # 100, expired on 10 February
    loyalty_nightly(dt.date(2026, 2, 11))
    buy(customer, baht_100, 5, None)  # 20, expiring in a month from today
    text = login(admin_user).get(f"/points/customers/{customer.pk}/").content.decode()
    assert "20 points expire on" in text and "Feb" not in text.split("expire on")[1][:20]
