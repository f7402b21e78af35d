"""Customers and companies: create, change, archive, each validated and audited."""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Interest, Tag
from samphan.customers.photos import photo_files
from samphan.customers.services.contact_points import contact_point_add, refresh_derived
from samphan.customers.services.custom_fields import custom_fields_clean
from samphan.customers.services.duplicates import duplicates_decide, normalised_contacts
from samphan.customers.signals import customer_changed

CUSTOMER_FIELDS = (
    "kind",
    "title",
    "first_name",
    "last_name",
    "first_name_en",
    "last_name_en",
    "nickname",
    "birthday",
    "gender",
    "company",
    "job_title",
    "company_name",
    "company_name_en",
    "tax_id",
    "branch",
    "industry",
    "size",
    "website",
    "address",
    "province",
    "member_number",
    "stage",
    "tier",
    "is_vip",
    "owner",
    "team",
    "source",
    "referred_by",
    "custom_fields",
    "notes",
)
AUDITED_CUSTOMER_FIELDS = (*CUSTOMER_FIELDS, "photo", "archived_at", "tags", "interests")
# The customer's own row (tags and interests are rows of their own).
ROW_FIELDS = (*CUSTOMER_FIELDS, "photo", "archived_at")


def _validate_customer(customer: Customer) -> None:
    customer.full_clean(exclude=["display_name", "search_document", "tags", "interests"])


def _apply_fields(customer: Customer, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in CUSTOMER_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        if name == "custom_fields":
            value = custom_fields_clean(value or {})
        if name == "member_number" and not value:
            value = None
        setattr(customer, name, value)
    if "tax_id" in fields and customer.tax_id:
        customer.tax_id = customer.tax_id.replace("-", "").replace(" ", "")


def customer_create(
    *,
    actor: User | None,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
    interests: Iterable[Interest] = (),
    contact_points: Iterable[Mapping[str, Any]] = (),
    photo: UploadedFile[bytes] | str | None = None,
    allow_duplicate: bool = False,
) -> Customer:
    """A new customer with its first contact points; ``DuplicateContactError`` (on
    ``contact_points``) when another customer has one of its phones or e-mails, unless
    ``allow_duplicate``."""
    contacts = list(contact_points)
    # Checked before the transaction, as the pages and the API always have.
    review = duplicates_decide(
        _normalised_when_read(contacts),  # not read when the rule needs no look
        actor=actor,
        field="contact_points",
        allow_duplicate=allow_duplicate,
    )
    with transaction.atomic():
        customer = Customer(created_by=actor if getattr(actor, "pk", None) else None)
        customer.duplicate_review = review
        _apply_fields(customer, fields)
        if customer.owner_id is None and getattr(actor, "pk", None):
            customer.owner = actor
        if customer.team_id is None and customer.owner is not None:
            customer.team_id = customer.owner.team_id
        if photo:
            customer.photo, customer.photo_thumbnail = photo_files(photo)
        customer.display_name = customer.compute_display_name()
        _validate_customer(customer)
        customer.save()
        customer.tags.set(tags)
        customer.interests.set(interests)
        made = diff({}, snapshot(customer, AUDITED_CUSTOMER_FIELDS))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            subject=customer,
            customer_id=customer.pk,
            changes=made,
        )
        for contact in contacts:
            contact_point_add(actor=actor, customer=customer, allow_duplicate=True, **contact)
        refresh_derived(customer)
        # After the contacts: loyalty's referral rules compare them.
        customer_changed.send(Customer, customer=customer, changes=made, actor=actor)
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User | None,
    customer: Customer,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
    interests: Iterable[Interest] | None = None,
    photo: UploadedFile[bytes] | str | None = None,
) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, AUDITED_CUSTOMER_FIELDS)
    _apply_fields(customer, fields)
    if photo:
        customer.photo, customer.photo_thumbnail = photo_files(photo)
    elif photo is not None:  # "" clears it
        customer.photo = customer.photo_thumbnail = ""
    _validate_customer(customer)
    row = {name: before[name] for name in ROW_FIELDS}
    if photo is not None or diff(row, snapshot(customer, ROW_FIELDS)):
        customer.save()  # not when nothing changed: "last updated" stays true
    if tags is not None:
        customer.tags.set(tags)
    if interests is not None:
        customer.interests.set(interests)
    changes = diff(before, snapshot(customer, AUDITED_CUSTOMER_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=customer,
            customer_id=customer.pk,
            changes=changes,
        )
    refresh_derived(customer)
    if changes:
        customer_changed.send(Customer, customer=customer, changes=changes, actor=actor)
    return customer


@transaction.atomic
def customer_archive(*, actor: User | None, customer: Customer, archived: bool = True) -> Customer:
    """Soft delete (or restore): the record and its history stay, lists hide it."""
    if customer.is_archived == archived:
        return customer
    before = snapshot(customer, ["archived_at"])
    customer.archived_at = timezone.now() if archived else None
    customer.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ARCHIVE if archived else AuditEvent.Action.RESTORE,
        subject=customer,
        customer_id=customer.pk,
        changes=diff(before, snapshot(customer, ["archived_at"])),
    )
    return customer


def _normalised_when_read(contacts: list[Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    yield from normalised_contacts(contacts)


RESTRICTION_FIELDS = ["processing_restricted_at", "processing_restricted_reason"]


def customer_restrict(*, actor: User | None, customer: Customer, reason: str) -> Customer:
    """Restrict processing (PDPA ss.32, 34): out of every segment, campaign, marketing
    message and analysis export until lifted. Already restricted: the reason is updated."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why processing is restricted.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    since = customer.processing_restricted_at or timezone.now()
    return _restriction_set(actor, customer, since, reason)


def customer_restriction_lift(*, actor: User | None, customer: Customer) -> Customer:
    """Lift a restriction: the person is back in segments, campaigns and exports."""
    if not customer.processing_restricted:
        return customer
    return _restriction_set(actor, customer, None, None)


def _restriction_set(
    actor: User | None, customer: Customer, since: dt.datetime | None, reason: str | None
) -> Customer:
    with transaction.atomic():
        before = snapshot(customer, RESTRICTION_FIELDS)
        customer.processing_restricted_at = since
        customer.processing_restricted_reason = reason
        changes = diff(before, snapshot(customer, RESTRICTION_FIELDS))
        if changes:  # the same reason again writes nothing
            customer.save(update_fields=[*RESTRICTION_FIELDS, "updated_at"])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                subject=customer,
                customer_id=customer.pk,
                changes=changes,
            )
    return customer
