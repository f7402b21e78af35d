"""Merging duplicate customers (issue 21): everything moves, roll-ups agree with a rebuild,
undo restores every row, and the refusals name the problem."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from samphan.accounts.models import Role, User
from samphan.analytics import rollups
from samphan.analytics.models import CustomerActivity
from samphan.core.models import AuditEvent
from samphan.customers.merge import (
    customer_merge_undo,
    customers_merge,
    merge_relations,
    relation_key,
)
from samphan.customers.models import ConsentRecord, ContactPoint, Customer, MergeRecord
from samphan.customers.services import consent_record, customer_create
from samphan.loyalty.models import PointsEntry
from tests.factories import CompanyFactory, CustomerFactory, TagFactory
from tests.privacy.conftest import EMAIL, Person, make_person

pytestmark = pytest.mark.django_db

# What make_person gives the duplicate: each of these must move.
OWNED = {
    "customers.ConsentRecord.customer",
    "customers.ContactPoint.customer",
    "customers.Interaction.customer",
    "sales.Deal.customer",
    "sales.Lead.customer",
    "sales.Order.customer",
    "sales.Quote.customer",
    "messaging.Message.customer",
    "messaging.LineAccount.customer",
    "marketing.SegmentMember.customer",
    "loyalty.PointsEntry.customer",
}


@pytest.fixture
def pair(admin_user: User, make_user: Any, settings: Any, tmp_path: Any) -> tuple[Person, Customer]:
    person = make_person(admin_user, make_user, settings, tmp_path)
    survivor = customer_create(
        actor=admin_user,
        fields={"first_name": "ขจร", "last_name": "", "job_title": "ครูใหญ่"},
        contact_points=[
            {"kind": "mobile", "value": "0812345678", "is_preferred": True},
            {"kind": "email", "value": EMAIL.lower()},
        ],
        tags=[TagFactory(name="ประจำ")],
        allow_duplicate=True,
    )
    consent_record(
        actor=admin_user,
        customer=survivor,
        channel="email",
        status=ConsentRecord.Status.WITHDRAWN,
        at=timezone.now() - dt.timedelta(days=400),
    )
    return person, survivor


def dump(ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Every row that points at these customers, and the customers themselves."""
    rows: dict[str, list[dict[str, Any]]] = {
        "customers": list(Customer.objects.filter(pk__in=ids).order_by("pk").values()),
        "activity": list(
            CustomerActivity.objects.filter(customer_id__in=ids).order_by("pk").values()
        ),
    }
    for row in rows["customers"]:
        row.pop("updated_at")
    for how, field in merge_relations():
        if how == "fk":
            found = field.model._default_manager.filter(**{f"{field.attname}__in": ids})
            rows[relation_key(field)] = list(found.order_by("pk").values())
        elif how == "m2m":
            through = field.remote_field.through
            rows[relation_key(field)] = list(through._default_manager.order_by("pk").values())
    for key in rows:
        for row in rows[key]:
            row.pop("updated_at", None)
    return rows


def test_every_relation_to_customer_has_a_rule() -> None:
    """A new model with a key to Customer is moved or declared; a one-to-one must be."""
    keys = {relation_key(f) for _how, f in merge_relations()}
    related = {relation_key(r.field) for r in Customer._meta.related_objects}
    assert related <= keys
    assert keys >= OWNED


def test_everything_moves_and_the_rollups_equal_a_rebuild(pair: tuple[Person, Customer]) -> None:
    person, survivor = pair
    dup = person.customer
    for key in OWNED:
        model_field = next(f for _h, f in merge_relations() if relation_key(f) == key)
        assert model_field.model._default_manager.filter(
            **{model_field.attname: dup.pk}
        ).exists(), key
    record = customers_merge(
        actor=person.admin, survivor=survivor, duplicates=[dup], choices={"nickname": dup.pk}
    )
    for key in OWNED - {"customers.ContactPoint.customer"}:
        assert record.moved[key][str(dup.pk)], key
    # The same e-mail in another case stays behind; the phone and LINE move, unpreferred.
    points = ContactPoint.objects.filter(customer=survivor)
    assert sorted(points.values_list("kind", flat=True)) == ["email", "line", "mobile", "mobile"]
    assert points.filter(is_preferred=True).get().value == "+66812345678"
    survivor.refresh_from_db()
    dup.refresh_from_db()
    assert survivor.nickname == dup.nickname  # chosen
    assert survivor.job_title == "ครูใหญ่"  # the survivor's, not empty
    assert survivor.last_name == dup.last_name  # empty: filled
    assert survivor.photo.name == dup.photo.name
    assert dup.merged_into_id == survivor.pk and dup.archived_at is not None
    # The newest consent record decides: the duplicate's grant beats the old withdrawal.
    assert survivor.consent_bits
    assert PointsEntry.objects.filter(customer=survivor, cause="staff").count() == 1
    assert set(survivor.tags.values_list("name", flat=True)) == {"ประจำ"}
    moved = CustomerActivity.objects.get(customer=survivor)
    rollups.activity_refresh([survivor.pk])
    assert CustomerActivity.objects.get(customer=survivor) == moved
    rebuilt = CustomerActivity.objects.filter(customer=survivor).values().get()
    assert rebuilt == CustomerActivity.objects.filter(pk=moved.pk).values().get()
    assert moved.order_count == 1
    event = AuditEvent.objects.filter(subject_id=survivor.pk, changes__has_key="merged_from").get()
    assert event.changes["sales.Order.customer"] == [None, 1]
    assert event.changes["nickname"][1] == dup.nickname


@translation.override("en")
def test_undo_restores_every_row(pair: tuple[Person, Customer]) -> None:
    person, survivor = pair
    ids = [survivor.pk, person.customer.pk]
    before = dump(ids)
    record = customers_merge(actor=person.admin, survivor=survivor, duplicates=[person.customer])
    assert dump(ids) != before
    customer_merge_undo(actor=person.admin, record=record)
    after = dump(ids)
    for key in before:
        assert after[key] == before[key], key
    with pytest.raises(ValidationError, match="already undone"):
        customer_merge_undo(actor=person.admin, record=record)


@translation.override("en")
def test_refusals(admin_user: User, make_user: Any) -> None:
    one, two = CustomerFactory(), CustomerFactory()
    with pytest.raises(ValidationError, match="itself"):
        customers_merge(actor=admin_user, survivor=one, duplicates=[one])
    with pytest.raises(ValidationError, match="company"):
        customers_merge(actor=admin_user, survivor=one, duplicates=[CompanyFactory()])
    Customer.objects.filter(pk=two.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError, match="erased"):
        customers_merge(actor=admin_user, survivor=one, duplicates=[two])
    three = CustomerFactory()
    with pytest.raises(ValidationError, match="No such field"):
        customers_merge(
            actor=admin_user, survivor=one, duplicates=[three], choices={"kind": one.pk}
        )
    stranger = make_user(Role.SALES, username="stranger", team=None)
    hidden = CustomerFactory(owner=admin_user)
    with pytest.raises(ValidationError, match="not found"):
        customers_merge(actor=stranger, survivor=one, duplicates=[hidden])
    assert not MergeRecord.objects.exists()
    record = customers_merge(actor=admin_user, survivor=one, duplicates=[three])
    MergeRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    with pytest.raises(ValidationError, match="30 days"):
        customer_merge_undo(actor=admin_user, record=record)


@translation.override("en")
def test_a_later_merge_must_be_undone_first(admin_user: User) -> None:
    one, two, three = CustomerFactory(), CustomerFactory(), CustomerFactory()
    first = customers_merge(actor=admin_user, survivor=one, duplicates=[two])
    second = customers_merge(actor=admin_user, survivor=one, duplicates=[three])
    with pytest.raises(ValidationError, match="later merge"):
        customer_merge_undo(actor=admin_user, record=first)
    customer_merge_undo(actor=admin_user, record=second)
    customer_merge_undo(actor=admin_user, record=first)
    assert not Customer.objects.filter(
        pk__in=[two.pk, three.pk], archived_at__isnull=False
    ).exists()


@translation.override("en")
def test_the_page_compares_merges_and_offers_the_undo(client: Any, admin_user: User) -> None:
    survivor = CustomerFactory(first_name="สมชาย", nickname="")
    other = CustomerFactory(first_name="Somchai", nickname="ชาย")
    client.force_login(admin_user)
    url = f"/customers/{survivor.pk}/merge/?with={other.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Somchai" in page.content.decode()
    answer = client.post(url, {"with": other.pk, "field_first_name": other.pk})
    assert answer.status_code == 302
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.nickname) == ("Somchai", "ชาย")
    detail = client.get(f"/customers/{survivor.pk}/").content.decode()
    record = MergeRecord.objects.get()
    assert f"/customers/merges/{record.pk}/undo/" in detail
    client.post(f"/customers/merges/{record.pk}/undo/")
    survivor.refresh_from_db()
    assert survivor.first_name == "สมชาย"
    assert client.get(f"/customers/{survivor.pk}/merge/?with=abc").status_code == 404


@translation.override("en")
def test_the_page_checks_what_the_merge_keeps(client: Any, admin_user: User) -> None:
    """Each field's checked value is the one the merge keeps when not told: the survivor's
    name, not the newer record's; the customer's stage over a lead's."""
    survivor = CustomerFactory(first_name="สมชาย", stage=Customer.Stage.LEAD)
    other = CustomerFactory(first_name="Somchai", stage=Customer.Stage.CUSTOMER)
    client.force_login(admin_user)
    url = f"/customers/{survivor.pk}/merge/?with={other.pk}"
    page = client.get(url).content.decode()
    assert f'name="field_first_name" value="{survivor.pk}" checked' in page
    assert f'name="field_stage" value="{other.pk}" checked' in page
    assert client.post(url, {"with": other.pk}).status_code == 302
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.stage) == ("สมชาย", Customer.Stage.CUSTOMER)
