"""A small population whose members of each rule are known by hand.

| name | tier | VIP | stage | tags | province | born | orders (revenue) | visits | consent e-mail marketing |
| แอน | gold | yes | customer | coffee | กรุงเทพมหานคร | 1990-03-15 | 3 in the last 10 days (3 × 1,000) | — | granted |
| เบน | silver | no | customer | tea | เชียงใหม่ | 2000-12-01 | 1, 200 days ago (5,000) | — | granted, then withdrawn |
| แคท | none | no | lead | — | — | — | — | — | — |
| อีฟ | none | no | customer | coffee, tea | ภูเก็ต | — | — | 5 Mondays, 1 Thursday | — |
| แดน (archived) | gold | yes | customer | coffee | กรุงเทพมหานคร | 1990-03-15 | — | — | granted |
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from samphan.customers import services as customer_services
from samphan.customers.models import Customer, CustomFieldDefinition, Tag
from samphan.sales import services as sales_services
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory

BANGKOK = ZoneInfo("Asia/Bangkok")


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so tests read them; pages keep each user's language."""
    with translation.override("en"):
        yield


@dataclass
class People:
    ann: Customer
    ben: Customer
    cat: Customer
    eve: Customer
    dan: Customer
    coffee: Tag
    tea: Tag


def consent(customer: Customer, status: str, at: dt.datetime) -> None:
    customer_services.consent_record(actor=None, customer=customer, channel="email",
                                     purpose="marketing", status=status, at=at)  # fmt: skip


def buy(customer: Customer, product: Any, moment: dt.datetime, quantity: int) -> None:
    sales_services.order_record(actor=None, customer=customer, channel="store",
                                lines=[LineInput(product.pk, quantity)], ordered_at=moment)  # fmt: skip


@pytest.fixture
def people(db: Any) -> People:
    now = timezone.now()
    coffee, tea = Tag.objects.create(name="coffee"), Tag.objects.create(name="tea")
    CustomFieldDefinition.objects.create(key="shoe_size", label="ไซซ์รองเท้า", field_type="number")
    ann = CustomerFactory(first_name="แอน", display_name="แอน ใจดี", tier="gold", is_vip=True,
                          province="กรุงเทพมหานคร", birthday=dt.date(1990, 3, 15),
                          custom_fields={"shoe_size": 38})  # fmt: skip
    ben = CustomerFactory(first_name="เบน", display_name="เบน ใจดี", tier="silver",
                          province="เชียงใหม่", birthday=dt.date(2000, 12, 1),
                          custom_fields={"shoe_size": 44})  # fmt: skip
    cat = CustomerFactory(first_name="แคท", display_name="แคท ใจดี", stage="lead")
    eve = CustomerFactory(first_name="อีฟ", display_name="อีฟ ใจดี", province="ภูเก็ต")
    dan = CustomerFactory(first_name="แดน", display_name="แดน ใจดี", tier="gold", is_vip=True,
                          province="กรุงเทพมหานคร", birthday=dt.date(1990, 3, 15),
                          archived_at=now)  # fmt: skip
    ann.tags.add(coffee)
    ben.tags.add(tea)
    eve.tags.add(coffee, tea)
    dan.tags.add(coffee)
    # 1,000 baht a line before VAT: list price 1,070 including VAT.
    product = ProductFactory(list_price=Decimal("1070.00"))
    for days_ago in (2, 5, 10):
        buy(ann, product, now - dt.timedelta(days=days_ago), 1)
    buy(ben, product, now - dt.timedelta(days=200), 5)
    first_monday = dt.date(2026, 1, 5)
    for week in range(5):
        day = first_monday + dt.timedelta(weeks=week)
        moment = dt.datetime.combine(day, dt.time(11), tzinfo=BANGKOK)
        customer_services.interaction_log(actor=None, customer=eve, kind="visit",
                                          summary="มาที่ร้าน", occurred_at=moment)  # fmt: skip
    thursday = dt.datetime.combine(dt.date(2026, 2, 12), dt.time(11), tzinfo=BANGKOK)
    customer_services.interaction_log(actor=None, customer=eve, kind="visit", summary="มาที่ร้าน",
                                      occurred_at=thursday)  # fmt: skip
    consent(ann, "granted", now - dt.timedelta(days=30))
    consent(ben, "granted", now - dt.timedelta(days=30))
    consent(ben, "withdrawn", now - dt.timedelta(days=1))
    consent(dan, "granted", now - dt.timedelta(days=30))
    return People(ann, ben, cat, eve, dan, coffee, tea)


# The messaging tests' real SMTP server on loopback, for campaigns.
from tests.messaging.conftest import smtp  # noqa: E402, F401


@pytest.fixture
def admin_user(make_user: Any) -> Any:
    """Pages in English, so tests read them (the pages follow each user's language)."""
    from samphan.accounts.models import Role

    return make_user(Role.ADMIN, language="en")
