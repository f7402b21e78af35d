"""A merge and its undo leave every roll-up of the customers involved as a rebuild from
scratch gives it (issue 21, "recomputes their roll-ups"): the activity (spend, orders,
first and last purchase, visits, days, usual weekdays), the RFM scores and segment, the
consent bits, the display name and search document, and the points balance that follows
the spend."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.models import CustomerActivity, CustomerRFM
from samphan.analytics.rfm import rfm_rebuild
from samphan.analytics.rollups import analytics_rebuild
from samphan.core.money import to_baht
from samphan.customers.merge import customer_merge_undo, customers_merge
from samphan.customers.models import ConsentRecord, Customer
from samphan.customers.queries import CustomerFilters, customer_list
from samphan.customers.services import (
    consent_record,
    consents_rebuild,
    customer_create,
    interaction_log,
    refresh_derived,
)
from samphan.loyalty.services import balance_of, points_record
from samphan.sales.models import Order
from samphan.sales.services import LineInput, order_record
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

SPEND = f"SELECT SUM(revenue) FROM {Order._meta.db_table} WHERE customer_id = %s AND status = %s"  # noqa: S608 - the model's table


def rollups(ids: list[int]) -> dict[str, Any]:
    return {
        "activity": list(CustomerActivity.objects.filter(pk__in=ids).order_by("pk").values()),
        "rfm": list(CustomerRFM.objects.filter(pk__in=ids).order_by("pk").values()),
        "customers": list(
            Customer.objects.filter(pk__in=ids)
            .order_by("pk")
            .values("pk", "display_name", "search_document", "consent_bits")
        ),
        "points": {pk: balance_of(pk) for pk in ids},
    }


def rebuilt(ids: list[int]) -> dict[str, Any]:
    """The same read after every roll-up was rebuilt from scratch."""
    analytics_rebuild()
    rfm_rebuild()
    consents_rebuild()
    for customer in Customer.objects.filter(pk__in=ids):
        refresh_derived(customer)
    return rollups(ids)


def spend(customer_id: int) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(SPEND, [customer_id, Order.Status.PAID])
        return to_baht(Decimal(str(cursor.fetchone()[0] or 0)))  # SQLite: a float


def buy(admin: User, customer: Customer, price: str, days_ago: int, times: int = 1) -> None:
    product = ProductFactory(list_price=Decimal(price))
    for n in range(times):
        order_record(
            actor=admin,
            customer=customer,
            lines=[LineInput(product.pk, Decimal(1))],
            channel="store",
            ordered_at=timezone.now() - dt.timedelta(days=days_ago + 7 * n, hours=1),
        )


def test_a_merge_and_its_undo_leave_the_rollups_as_a_rebuild(admin_user: User) -> None:
    # Ten other buyers spread the quintiles: the survivor's scores move with the merge.
    for n in range(10):
        buy(admin_user, CustomerFactory(), str(300 * (n + 1)), days_ago=5 * n, times=1 + n % 4)
    survivor = customer_create(
        actor=admin_user,
        fields={"first_name": "สมชาย", "last_name": "ใจดี"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
        allow_duplicate=True,
    )
    dup = customer_create(
        actor=admin_user,
        fields={"first_name": "Somchai", "last_name": "Jaidee"},
        contact_points=[{"kind": "email", "value": "somchai@example.com"}],
        allow_duplicate=True,
    )
    buy(admin_user, survivor, "150", days_ago=200)
    buy(admin_user, dup, "2500", days_ago=1, times=4)
    interaction_log(
        actor=admin_user,
        customer=dup,
        kind="visit",
        summary="มาที่ร้าน",
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    consent_record(
        actor=admin_user, customer=dup, channel="email", status=ConsentRecord.Status.GRANTED
    )
    points_record(actor=admin_user, customer=dup, kind="adjust", points=40, note="ของขวัญ")
    rfm_rebuild()
    ids = [survivor.pk, dup.pk]
    before = rollups(ids)
    spent = {pk: spend(pk) for pk in ids}
    assert before["rfm"][0]["segment"] != before["rfm"][1]["segment"]

    record = customers_merge(actor=admin_user, survivor=survivor, duplicates=[dup])
    merged = rollups(ids)
    assert merged == rebuilt(ids)
    assert [row["customer_id"] for row in merged["rfm"]] == [survivor.pk]  # dup bought nothing
    survivor_activity = merged["activity"][0]
    assert survivor_activity["revenue"] == spend(survivor.pk)
    assert spend(survivor.pk) == spent[survivor.pk] + spent[dup.pk] > spent[dup.pk] > 0
    assert survivor_activity["order_count"] == 5
    # A point for every ฿25 of each paid order, rounded down per order, and the 40 given.
    earned = sum(
        int(revenue // 25)
        for revenue in Order.objects.filter(customer=survivor, status="paid").values_list(
            "revenue", flat=True
        )
    )
    assert merged["points"][survivor.pk] == earned + 40
    assert merged["points"][dup.pk] == 0
    found = customer_list(admin_user, CustomerFilters(q="somchai@example.com"))
    assert [c.pk for c in found] == [survivor.pk]

    customer_merge_undo(actor=admin_user, record=record)
    undone = rollups(ids)
    assert undone == rebuilt(ids)
    assert undone == before
    assert {pk: spend(pk) for pk in ids} == spent


def test_a_lead_merged_with_a_customer_who_bought_is_a_customer(admin_user: User) -> None:
    """The stage follows the purchases, as a purchase sets it (customers.lifecycle): the
    survivor's "lead" does not outlive the orders it takes; the undo gives it back."""
    survivor = CustomerFactory(stage=Customer.Stage.LEAD)
    dup = CustomerFactory(stage=Customer.Stage.PROSPECT)
    buy(admin_user, dup, "500", days_ago=2)
    dup.refresh_from_db()
    assert dup.stage == Customer.Stage.CUSTOMER
    record = customers_merge(actor=admin_user, survivor=survivor, duplicates=[dup])
    survivor.refresh_from_db()
    assert survivor.stage == Customer.Stage.CUSTOMER
    customer_merge_undo(actor=admin_user, record=record)
    survivor.refresh_from_db()
    assert survivor.stage == Customer.Stage.LEAD
    # Chosen, the survivor's stage stays.
    record = customers_merge(
        actor=admin_user, survivor=survivor, duplicates=[dup], choices={"stage": survivor.pk}
    )
    survivor.refresh_from_db()
    assert survivor.stage == Customer.Stage.LEAD
