"""Segment conditions from support, against sets chosen by hand: the latest answer counts
(an old one does not), "detractors who spent over ฿50,000 this year", unhappy customers,
customers with an open ticket; the builder offers the fields; bad values refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from samphan.customers.models import Customer
from samphan.marketing.rules import RuleError, all_fields, compile_rules
from samphan.sales.services import order_record
from samphan.sales.services.order_lines import LineInput
from samphan.support import services
from samphan.support.models import Survey
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def answered(customer, kind: str, score: int, days_ago: int) -> None:
    Survey.objects.create(
        customer=customer, kind=kind, score=score,
        answered_at=timezone.now() - dt.timedelta(days=days_ago),
    )  # fmt: skip


def spent(customer, baht: int) -> None:
    order_record(
        actor=None, customer=customer, channel="store",
        lines=[LineInput("BIG", 1, unit_price=Decimal(baht), price_includes_vat=False)],
        ordered_at=timezone.now() - dt.timedelta(days=10),
    )  # fmt: skip


def names(rules) -> set[str]:
    return set(Customer.objects.filter(compile_rules(rules)).values_list("first_name", flat=True))


def test_detractors_who_spent_over_50000_this_year():
    ProductFactory(sku="BIG")
    ann, ben, cat, dan = (CustomerFactory(first_name=name) for name in ("แอน", "เบน", "แคท", "แดน"))
    answered(ann, "nps", 10, 200)  # once a promoter …
    answered(ann, "nps", 3, 5)  # … a detractor now
    spent(ann, 60_000)
    answered(ben, "nps", 3, 5)  # a detractor who spent little
    spent(ben, 1_000)
    answered(cat, "nps", 2, 200)  # once a detractor …
    answered(cat, "nps", 10, 5)  # … a promoter now
    spent(cat, 80_000)
    spent(dan, 90_000)  # never answered
    rules = {"match": "all", "rules": [
        {"field": "nps", "op": "in", "value": ["detractor"]},
        {"field": "spend_period", "op": "gte", "value": 50_000, "days": 365},
    ]}  # fmt: skip
    assert names(rules) == {"แอน"}
    assert names(
        {"match": "all", "rules": [{"field": "nps", "op": "in", "value": ["promoter"]}]}
    ) == {"แคท"}
    not_detractors = {
        "match": "all",
        "rules": [{"field": "nps", "op": "not_in", "value": ["detractor"]}],
    }
    assert names(not_detractors) == {"แคท", "แดน"}


def test_unhappy_and_open_ticket_conditions():
    eve, fay, gus = (CustomerFactory(first_name=name) for name in ("อีฟ", "เฟย์", "กัส"))
    answered(eve, "csat", 1, 3)
    answered(fay, "csat", 2, 40)
    answered(fay, "csat", 5, 2)  # happy again
    services.ticket_open(actor=None, subject="x", body="y", channel="phone", customer=gus)
    unhappy = {"match": "all", "rules": [{"field": "csat", "op": "lte", "value": 2}]}
    assert names(unhappy) == {"อีฟ"}
    with_ticket = {"match": "all", "rules": [{"field": "open_ticket", "op": "is", "value": True}]}
    assert names(with_ticket) == {"กัส"}


def test_the_builder_offers_support_fields_and_refuses_bad_values():
    fields = all_fields()
    assert {"csat", "nps", "open_ticket"} <= set(fields)
    assert fields["nps"].describe()["choices"][2] == ["detractor", "detractor (0-6)"]
    with pytest.raises(RuleError):
        compile_rules({"match": "all", "rules": [{"field": "nps", "op": "in", "value": ["angry"]}]})
