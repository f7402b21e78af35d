"""The customer services: every rule, with bad input as well as good."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomFieldDefinition,
    Tag,
)
from samphan.customers.queries import consent_in_force

VALID_TAX_ID = "0105551234567"  # weights 13..2 sum to 224; 11 - 224 % 11 = 7


def person(actor, **fields):
    fields = {"first_name": "สมชาย", "last_name": "ใจดี", "nickname": "ชาย", **fields}
    return services.customer_create(actor=actor, fields=fields)


def test_create_person_with_contacts_normalises_and_audits(admin_user):
    customer = services.customer_create(
        actor=admin_user,
        fields={"title": "คุณ", "first_name": "สมชาย", "last_name": "ใจดี", "nickname": "ชาย"},
        contact_points=[
            {"kind": "mobile", "value": "081-234-5678", "is_preferred": True},
            {"kind": "email", "value": "Somchai@Example.COM"},
        ],
    )
    values = dict(customer.contact_points.values_list("kind", "value"))
    assert values == {"mobile": "+66812345678", "email": "somchai@example.com"}
    assert customer.display_name == "สมชาย ใจดี"
    assert customer.greeting == "คุณชาย"
    assert customer.owner == admin_user and customer.team == admin_user.team
    assert "0812345678" in customer.search_document and "66812345678" in customer.search_document
    events = AuditEvent.objects.filter(customer_id=customer.pk)
    assert events.filter(subject_type="customers.customer", action="create").count() == 1
    assert events.filter(subject_type="customers.contactpoint").count() == 2
    created = events.get(subject_type="customers.customer")
    assert created.actor == admin_user
    assert created.changes["first_name"] == [None, "สมชาย"]


def test_update_records_old_and_new_values(admin_user):
    customer = person(admin_user)
    services.customer_update(
        actor=admin_user, customer=customer, fields={"nickname": "ต้น", "tier": "gold"}
    )
    event = AuditEvent.objects.filter(customer_id=customer.pk, action="update").get()
    assert event.changes == {"nickname": ["ชาย", "ต้น"], "tier": ["none", "gold"]}


def test_person_needs_a_name(admin_user):
    with pytest.raises(ValidationError) as error:
        services.customer_create(actor=admin_user, fields={"last_name": "ใจดี"})
    assert "first_name" in error.value.message_dict
    assert not Customer.objects.exists()


def test_invalid_tax_id_is_rejected_and_nothing_written(admin_user):
    with pytest.raises(ValidationError) as error:
        services.customer_create(
            actor=admin_user,
            fields={
                "kind": "company",
                "company_name": "บริษัท ทดสอบ จำกัด",
                "tax_id": "0105551234568",
            },
        )
    assert "tax_id" in error.value.message_dict
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_valid_tax_id_with_dashes_is_stored_as_digits(admin_user):
    company = services.customer_create(
        actor=admin_user,
        fields={
            "kind": "company",
            "company_name": "บริษัท ทดสอบ จำกัด",
            "tax_id": "0-1055-51234-56-7",
        },
    )
    assert company.tax_id == VALID_TAX_ID


def test_bad_contact_point_in_create_rolls_back_the_customer(admin_user):
    with pytest.raises(ValidationError) as error:
        services.customer_create(
            actor=admin_user,
            fields={"first_name": "มาลี"},
            contact_points=[{"kind": "mobile", "value": "081-234"}],
        )
    # Named by its place, as the API's 422 has always named it.
    assert "contact_points.0.value" in error.value.message_dict
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("mobile", "12"),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("website", "javascript:alert(1)"),
        ("mobile", ""),
    ],
)
def test_malformed_contact_values(admin_user, kind, value):
    customer = person(admin_user)
    with pytest.raises(ValidationError):
        services.contact_point_add(actor=admin_user, customer=customer, kind=kind, value=value)
    assert not customer.contact_points.exists()


def test_only_one_preferred_contact_point(admin_user):
    customer = person(admin_user)
    first = services.contact_point_add(
        actor=admin_user, customer=customer, kind="mobile", value="0812345678", is_preferred=True
    )
    second = services.contact_point_add(
        actor=admin_user, customer=customer, kind="email", value="a@example.com", is_preferred=True
    )
    first.refresh_from_db()
    assert not first.is_preferred and second.is_preferred
    # The database refuses a second preferred row even when a service is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(
            customer=customer, kind="line", value="somchai", is_preferred=True
        )


def test_the_point_losing_the_preferred_flag_is_audited(admin_user):
    customer = person(admin_user)
    first = services.contact_point_add(
        actor=admin_user, customer=customer, kind="mobile", value="0812345678", is_preferred=True
    )
    second = services.contact_point_add(
        actor=admin_user, customer=customer, kind="email", value="a@example.com"
    )
    services.contact_point_update(
        actor=admin_user, contact_point=second, fields={"is_preferred": True}
    )
    lost = AuditEvent.objects.get(subject_id=first.pk, action="update")
    assert (lost.customer_id, lost.actor, lost.changes) == (
        customer.pk,
        admin_user,
        {"is_preferred": [True, False]},
    )
    gained = AuditEvent.objects.get(subject_id=second.pk, action="update")
    assert gained.changes == {"is_preferred": [False, True]}


def test_duplicate_contact_point_on_same_customer(admin_user):
    customer = person(admin_user)
    services.contact_point_add(
        actor=admin_user, customer=customer, kind="mobile", value="0812345678"
    )
    with pytest.raises(ValidationError):
        services.contact_point_add(
            actor=admin_user, customer=customer, kind="mobile", value="+66 81 234 5678"
        )


def test_duplicates_of_finds_other_customers(admin_user):
    existing = person(admin_user)
    services.contact_point_add(
        actor=admin_user, customer=existing, kind="mobile", value="0812345678"
    )
    assert list(services.duplicates_of([("mobile", "+66812345678")])) == [existing]
    assert not services.duplicates_of([("mobile", "+66812345678")], exclude_id=existing.pk).exists()


def test_only_phones_and_e_mails_make_duplicates(admin_user):
    existing = person(admin_user)
    services.contact_point_add(actor=admin_user, customer=existing, kind="line", value="shared")
    services.contact_point_add(actor=admin_user, customer=existing, kind="email", value="a@b.co")
    assert not services.duplicates_of([("line", "shared")]).exists()
    assert list(services.duplicates_of([("email", "a@b.co")])) == [existing]


def test_a_known_phone_is_a_duplicate_contact_unless_allowed(admin_user):
    existing = person(admin_user)
    services.contact_point_add(
        actor=admin_user, customer=existing, kind="mobile", value="0812345678"
    )
    contacts = [{"kind": "mobile", "value": "081-234-5678"}]
    with pytest.raises(services.DuplicateContactError) as error:
        services.customer_create(
            actor=admin_user, fields={"first_name": "สอง"}, contact_points=contacts
        )
    assert (error.value.field, error.value.count) == ("contact_points", 1)
    assert list(error.value.customers) == [existing]
    assert error.value.error_dict["contact_points"][0].code == "duplicate"
    other = services.customer_create(
        actor=admin_user,
        fields={"first_name": "สอง"},
        contact_points=contacts,
        allow_duplicate=True,
    )
    services.contact_point_add(actor=admin_user, customer=other, kind="email", value="x@y.co")
    with pytest.raises(services.DuplicateContactError) as error:
        services.contact_point_add(
            actor=admin_user, customer=existing, kind="email", value="X@y.co"
        )
    assert (error.value.field, list(error.value.customers)) == ("value", [other])


def test_a_contact_point_changed_to_a_known_phone_is_a_duplicate_unless_allowed(admin_user):
    first, second = person(admin_user), person(admin_user)
    services.contact_point_add(actor=admin_user, customer=first, kind="mobile", value="0812345678")
    point = services.contact_point_add(
        actor=admin_user, customer=second, kind="mobile", value="0899999999"
    )
    same = {"kind": "mobile", "value": "0812345678"}
    with pytest.raises(services.DuplicateContactError):
        services.contact_point_update(actor=admin_user, contact_point=point, fields=same)
    point = services.contact_point_update(
        actor=admin_user, contact_point=point, fields=same, allow_duplicate=True
    )
    # Unchanged, it is not checked again.
    services.contact_point_update(actor=admin_user, contact_point=point, fields={"label": "บ้าน"})


def test_over_long_fields_are_rejected(admin_user):
    with pytest.raises(ValidationError) as error:
        person(admin_user, nickname="ก" * 51)
    assert "nickname" in error.value.message_dict


def test_consent_is_a_history(admin_user):
    customer = person(admin_user)
    services.consent_record(actor=admin_user, customer=customer, channel="sms", status="granted")
    services.consent_record(
        actor=admin_user, customer=customer, channel="sms", status="withdrawn", source="unsubscribe"
    )
    assert ConsentRecord.objects.filter(customer=customer).count() == 2
    in_force = consent_in_force(customer)
    assert in_force[("sms", "marketing")].status == "withdrawn"
    assert AuditEvent.objects.filter(subject_type="customers.consentrecord").count() == 2
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=admin_user, customer=customer, channel="pigeon", status="granted"
        )


def test_custom_fields_are_typed(admin_user):
    CustomFieldDefinition.objects.create(key="shoe_size", label="ไซซ์รองเท้า", field_type="number")
    CustomFieldDefinition.objects.create(key="since", label="ลูกค้าตั้งแต่", field_type="date")
    CustomFieldDefinition.objects.create(
        key="branch", label="สาขา", field_type="choice", choices=["สยาม", "บางนา"]
    )
    customer = person(
        admin_user, custom_fields={"shoe_size": "41.5", "since": "2020-01-31", "branch": "สยาม"}
    )
    assert customer.custom_fields == {"shoe_size": "41.5", "since": "2020-01-31", "branch": "สยาม"}
    for bad in (
        {"shoe_size": "big"},
        {"since": "31/01/2020"},
        {"branch": "เชียงใหม่"},
        {"unknown": "x"},
        {"shoe_size": "NaN"},
    ):
        with pytest.raises(ValidationError) as error:
            services.customer_update(
                actor=admin_user, customer=customer, fields={"custom_fields": bad}
            )
        assert "custom_fields" in error.value.message_dict


def test_archive_and_restore(admin_user):
    customer = person(admin_user)
    services.customer_archive(actor=admin_user, customer=customer)
    assert Customer.objects.active().count() == 0
    services.customer_archive(actor=admin_user, customer=customer, archived=False)
    assert Customer.objects.active().count() == 1
    actions = list(
        AuditEvent.objects.filter(customer_id=customer.pk).values_list("action", flat=True)
    )
    assert "archive" in actions and "restore" in actions


def test_interaction_needs_a_summary(admin_user):
    customer = person(admin_user)
    with pytest.raises(ValidationError):
        services.interaction_log(actor=admin_user, customer=customer, kind="call", summary="   ")
    with pytest.raises(ValidationError):
        services.interaction_log(actor=admin_user, customer=customer, kind="dance", summary="x")
    call = services.interaction_log(
        actor=admin_user, customer=customer, kind="call", summary="โทรนัดส่งของ"
    )
    assert call.user == admin_user


def test_interactions_are_audited_from_log_to_delete(admin_user):
    customer = person(admin_user)
    call = services.interaction_log(actor=admin_user, customer=customer, kind="call", summary="โทร")
    services.interaction_update(actor=admin_user, interaction=call, fields={"body": "ไม่รับสาย"})
    services.interaction_update(actor=admin_user, interaction=call, fields={"body": "ไม่รับสาย"})
    services.interaction_delete(actor=admin_user, interaction=call)
    events = AuditEvent.objects.filter(
        subject_type="customers.interaction", customer_id=customer.pk
    )
    actions = {event.action: event.changes for event in events}
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "create",
        "update",  # the second, unchanged update writes nothing
        "delete",
    ]
    assert actions["create"]["summary"] == [None, "โทร"]
    assert actions["update"] == {"body": ["", "ไม่รับสาย"]}
    assert actions["delete"]["body"] == ["ไม่รับสาย", None]
    assert not customer.interactions.exists()


@pytest.mark.parametrize(
    "fields", [{"summary": ""}, {"kind": "dance"}, {"user": None}, {"customer": None}]
)
def test_interaction_update_refuses_bad_or_fixed_fields(admin_user, fields):
    customer = person(admin_user)
    call = services.interaction_log(actor=admin_user, customer=customer, kind="call", summary="โทร")
    with pytest.raises(ValidationError) as error:
        services.interaction_update(actor=admin_user, interaction=call, fields=fields)
    assert set(error.value.message_dict) == set(fields)
    call.refresh_from_db()
    assert (call.kind, call.summary, call.user) == ("call", "โทร", admin_user)


def test_initials_keep_thai_leading_vowels_with_their_consonant():
    assert Customer(nickname="ใหญ่").initials == "ให"
    assert Customer(nickname="แอน").initials == "แอ"
    assert Customer(nickname="ต้น").initials == "ต"
    assert Customer(first_name_en="anna", display_name="anna").initials == "A"


def test_list_subtitle_has_no_dangling_separators(admin_user):
    assert person(admin_user).list_subtitle == ""
    somchai = person(admin_user, first_name_en="Somchai", job_title="ผู้จัดการ")
    assert somchai.list_subtitle == "ผู้จัดการ · Somchai"


def test_tag_delete_audits_each_customer_even_without_an_actor(admin_user):
    tag = services.tag_save(tag=Tag(), name="ชั่วคราว")
    tagged = [person(admin_user, first_name=name) for name in ("หนึ่ง", "สอง")]
    for customer in tagged:
        customer.tags.add(tag)
    assert services.tag_delete(actor=None, tag=tag) == 2
    rows = AuditEvent.objects.filter(subject_type="customers.tag", customer_id__isnull=False)
    assert sorted(rows.values_list("customer_id", flat=True)) == sorted(c.pk for c in tagged)
    assert {row.actor_id for row in rows} == {None}


def test_the_timeline_refuses_entries_more_than_a_day_ahead(admin_user):
    customer = services.customer_create(actor=admin_user, fields={"first_name": "ต้น"})
    with pytest.raises(ValidationError) as raised:
        services.interaction_log(
            actor=admin_user,
            customer=customer,
            kind="call",
            summary="โทร",
            occurred_at=timezone.now() + dt.timedelta(days=3),
        )
    assert "occurred_at" in raised.value.message_dict
    soon = timezone.now() + dt.timedelta(hours=2)
    assert (
        services.interaction_log(
            actor=admin_user, customer=customer, kind="call", summary="โทร", occurred_at=soon
        ).occurred_at
        == soon
    )
