"""Every write to customers, contact points, consent and the timeline.

Each function validates, writes in one transaction and records the audit log, so
the HTML views and the API share one copy of the rules. (The demo loader writes
in bulk instead, see demo/loader.py.)
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.core.audit import audit_record, audit_record_for_each, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.core.phones import normalise_phone
from samphan.customers.models import (
    CONSENT_BIT_POSITIONS,
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomerQuerySet,
    CustomFieldDefinition,
    Interaction,
    Interest,
    Tag,
    consent_bit,
)
from samphan.customers.photos import photo_files
from samphan.customers.search import build_search_document
from samphan.customers.signals import history_changed, visit_logged

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
CONTACT_FIELDS = ("kind", "value", "label", "is_preferred")
CONSENT_FIELDS = ("channel", "purpose", "status", "source", "wording_version")
INTERACTION_FIELDS = ("kind", "occurred_at", "user", "channel", "summary", "body")
INTERACTION_EDITABLE = ("kind", "occurred_at", "channel", "summary", "body")


# -- Validation helpers -------------------------------------------------------------------


def contact_value_normalise(kind: str, value: str) -> str:
    """The stored form of a contact value: E.164 phones, lower-case e-mails, trimmed text."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"value": _("Enter a value.")})
    try:
        if kind in ContactPoint.PHONE_KINDS:
            return normalise_phone(value)
        if kind == ContactPoint.Kind.EMAIL:
            validate_email(value)
            return value.lower()
        if kind == ContactPoint.Kind.WEBSITE:
            URLValidator()(value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    return value


def custom_fields_clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check values against their typed definitions; unknown keys are errors."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.all()}
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(_("Unknown custom field “%(key)s”.") % {"key": key})
            continue
        if raw in (None, ""):
            continue
        try:
            cleaned[key] = _custom_value(definition, raw)
        except (ValueError, InvalidOperation):
            errors.append(
                _("“%(value)s” is not a valid %(type)s for %(label)s.")
                % {"value": raw, "type": definition.get_field_type_display(), "label": key}
            )
    if errors:
        raise ValidationError({"custom_fields": errors})
    return cleaned


def _custom_value(definition: CustomFieldDefinition, raw: Any) -> Any:
    kind = definition.field_type
    if kind == CustomFieldDefinition.FieldType.NUMBER:
        number = Decimal(str(raw))
        if not number.is_finite():
            raise ValueError(raw)
        return str(number)
    if kind == CustomFieldDefinition.FieldType.DATE:
        return dt.date.fromisoformat(str(raw)).isoformat()
    if kind == CustomFieldDefinition.FieldType.CHOICE and str(raw) not in definition.choices:
        raise ValueError(raw)
    text = str(raw)
    if len(text) > 500:
        raise ValueError(raw)
    return text


DUPLICATE_KINDS = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL)


def duplicates_of(
    contacts: Iterable[tuple[str, str]], *, exclude_id: int | None = None
) -> CustomerQuerySet:
    """Customers who already have one of these (normalised) phones or e-mails.

    Other kinds (addresses, LINE IDs, websites) are shared innocently, by a family or
    the staff of one office, so they never make a customer a duplicate.
    """
    pairs = [(kind, value) for kind, value in contacts if value and kind in DUPLICATE_KINDS]
    if not pairs:
        return Customer.objects.none()
    values = {value for _kind, value in pairs}
    matches = Customer.objects.active().filter(contact_points__value__in=values).distinct()
    if exclude_id:
        matches = matches.exclude(pk=exclude_id)
    return matches


class DuplicateContact(ValidationError):
    """A phone or e-mail that already belongs to another active customer: the one duplicate
    rule, decided by the services that add contacts (``customer_create``,
    ``contact_point_add``, ``contact_point_update``) unless called with
    ``allow_duplicate=True``. A ``ValidationError`` on ``field``, so a caller that does not
    look closer shows it as one; pages and the API render ``customers`` (everyone who has
    it, visible or not: narrow with ``visible_to``) and ``count`` (how many)."""

    def __init__(self, *, field: str, customers: CustomerQuerySet, count: int) -> None:
        message = _("This phone or e-mail already belongs to another customer.")
        super().__init__({field: [ValidationError(message, code="duplicate")]})
        self.field = field
        self.customers = customers
        self.count = count


def _refuse_duplicates(
    contacts: Iterable[tuple[str, str]], *, field: str, exclude_id: int | None = None
) -> None:
    """Raise ``DuplicateContact`` naming ``field`` when another customer has one of these
    (normalised) phones or e-mails."""
    customers = duplicates_of(contacts, exclude_id=exclude_id)
    count = customers.count()
    if count:
        raise DuplicateContact(field=field, customers=customers, count=count)


def _normalised_contacts(contacts: list[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(kind, value) of each new contact, normalised; a bad value is an error on
    ``contact_points.<index>.value``."""
    normalised = []
    for index, contact in enumerate(contacts):
        try:
            value = contact_value_normalise(contact["kind"], contact["value"])
        except ValidationError as error:
            field = f"contact_points.{index}.value"
            raise ValidationError({field: error.message_dict["value"]}) from error
        normalised.append((contact["kind"], value))
    return normalised


# -- Customers ------------------------------------------------------------------------------


def _refresh_derived(customer: Customer) -> None:
    contacts = customer.contact_points.values_list("kind", "value")
    customer.display_name = customer.compute_display_name()
    customer.search_document = build_search_document(customer, contacts)
    Customer.objects.filter(pk=customer.pk).update(
        display_name=customer.display_name, search_document=customer.search_document
    )


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
    actor: Any,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
    interests: Iterable[Interest] = (),
    contact_points: Iterable[Mapping[str, Any]] = (),
    photo: Any = None,
    allow_duplicate: bool = False,
) -> Customer:
    """A new customer with its first contact points; ``DuplicateContact`` (on
    ``contact_points``) when another customer has one of its phones or e-mails, unless
    ``allow_duplicate``."""
    contacts = list(contact_points)
    if not allow_duplicate:
        # Checked before the transaction, as the pages and the API always have.
        _refuse_duplicates(_normalised_contacts(contacts), field="contact_points")
    with transaction.atomic():
        customer = Customer(created_by=actor if getattr(actor, "pk", None) else None)
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
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            subject=customer,
            customer_id=customer.pk,
            changes=diff({}, snapshot(customer, AUDITED_CUSTOMER_FIELDS)),
        )
        for contact in contacts:
            contact_point_add(actor=actor, customer=customer, allow_duplicate=True, **contact)
        _refresh_derived(customer)
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: Any,
    customer: Customer,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
    interests: Iterable[Interest] | None = None,
    photo: Any = None,
) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, AUDITED_CUSTOMER_FIELDS)
    _apply_fields(customer, fields)
    if photo:
        customer.photo, customer.photo_thumbnail = photo_files(photo)
    elif photo is not None:  # "" clears it
        customer.photo = customer.photo_thumbnail = ""
    _validate_customer(customer)
    customer.save()
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
    _refresh_derived(customer)
    return customer


@transaction.atomic
def customer_archive(*, actor: Any, customer: Customer, archived: bool = True) -> Customer:
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


# -- Contact points ------------------------------------------------------------------------


def _unset_preferred(customer: Customer, *, actor: Any, keep_id: int | None = None) -> None:
    """Take the preferred flag from the customer's other contact points, audited."""
    others = ContactPoint.objects.filter(customer=customer, is_preferred=True)
    if keep_id:
        others = others.exclude(pk=keep_id)
    # At most one row (a unique constraint says so): audit it, then flip it.
    for point in others.select_for_update():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=point,
            customer_id=customer.pk,
            changes={"is_preferred": [True, False]},
        )
        point.is_preferred = False
        point.save(update_fields=["is_preferred", "updated_at"])


def _save_contact_point(contact_point: ContactPoint) -> None:
    try:
        contact_point.full_clean(exclude=["customer"], validate_constraints=False)
        with transaction.atomic():
            contact_point.save()
    except IntegrityError as error:
        raise ValidationError(
            {"value": _("This customer already has this contact point.")}
        ) from error


def contact_point_add(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    value: str,
    label: str = "",
    is_preferred: bool = False,
    allow_duplicate: bool = False,
) -> ContactPoint:
    """``DuplicateContact`` (on ``value``) when another customer has this phone or e-mail,
    unless ``allow_duplicate``."""
    if kind not in ContactPoint.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of contact point.")})
    value = contact_value_normalise(kind, value)
    if not allow_duplicate:
        _refuse_duplicates([(kind, value)], field="value", exclude_id=customer.pk)
    with transaction.atomic():
        return _contact_point_add(actor, customer, kind, value, label, is_preferred)


def _contact_point_add(
    actor: Any, customer: Customer, kind: str, value: str, label: str, is_preferred: bool
) -> ContactPoint:
    contact_point = ContactPoint(
        customer=customer, kind=kind, value=value, label=label or "", is_preferred=is_preferred
    )
    if ContactPoint.objects.filter(customer=customer, kind=kind, value=value).exists():
        raise ValidationError({"value": _("This customer already has this contact point.")})
    if is_preferred:
        _unset_preferred(customer, actor=actor)
    _save_contact_point(contact_point)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=contact_point,
        customer_id=customer.pk,
        changes=diff({}, snapshot(contact_point, CONTACT_FIELDS)),
    )
    _refresh_derived(customer)
    return contact_point


def contact_point_update(
    *,
    actor: Any,
    contact_point: ContactPoint,
    fields: Mapping[str, Any],
    allow_duplicate: bool = False,
) -> ContactPoint:
    """``DuplicateContact`` (on ``value``) when the phone or e-mail changes to one another
    customer has, unless ``allow_duplicate``."""
    kind = fields.get("kind", contact_point.kind)
    if kind not in ContactPoint.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of contact point.")})
    value = contact_value_normalise(kind, fields.get("value", contact_point.value))
    if not allow_duplicate and (kind, value) != (contact_point.kind, contact_point.value):
        exclude_id = contact_point.customer_id
        _refuse_duplicates([(kind, value)], field="value", exclude_id=exclude_id)
    with transaction.atomic():
        return _contact_point_update(actor, contact_point, {**fields, "kind": kind, "value": value})


def _contact_point_update(
    actor: Any, contact_point: ContactPoint, fields: Mapping[str, Any]
) -> ContactPoint:
    contact_point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    before = snapshot(contact_point, CONTACT_FIELDS)
    contact_point.kind = fields["kind"]
    contact_point.value = fields["value"]
    contact_point.label = fields.get("label", contact_point.label) or ""
    contact_point.is_preferred = bool(fields.get("is_preferred", contact_point.is_preferred))
    if contact_point.is_preferred:
        _unset_preferred(contact_point.customer, actor=actor, keep_id=contact_point.pk)
    _save_contact_point(contact_point)
    changes = diff(before, snapshot(contact_point, CONTACT_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=contact_point,
            customer_id=contact_point.customer_id,
            changes=changes,
        )
    _refresh_derived(contact_point.customer)
    return contact_point


@transaction.atomic
def contact_point_remove(*, actor: Any, contact_point: ContactPoint) -> None:
    customer = contact_point.customer
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=contact_point,
        customer_id=customer.pk,
        changes=diff(snapshot(contact_point, CONTACT_FIELDS), dict.fromkeys(CONTACT_FIELDS)),
    )
    contact_point.delete()
    _refresh_derived(customer)


# -- Consent ----------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    customer: Customer,
    channel: str,
    status: str,
    source: str = ConsentRecord.Source.STAFF,
    purpose: str = ConsentRecord.Purpose.MARKETING,
    wording_version: str = "",
    at: dt.datetime | None = None,
) -> ConsentRecord:
    """Append a grant or withdrawal; earlier records stay as the history."""
    record = ConsentRecord(
        customer=customer,
        channel=channel,
        purpose=purpose,
        status=status,
        source=source,
        wording_version=wording_version,
        at=at or timezone.now(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record.full_clean(exclude=["customer", "recorded_by"])
    record.save()
    _consent_bits_refresh(customer.pk, channel, purpose)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=record,
        customer_id=customer.pk,
        changes=diff({}, snapshot(record, CONSENT_FIELDS)),
    )
    return record


ALL_CONSENT_BITS = sum(1 << position for position in CONSENT_BIT_POSITIONS.values())


def _consent_bits_refresh(customer_id: int, channel: str, purpose: str) -> None:
    # The latest record wins, which need not be the one just written (a back-dated one).
    latest = (
        ConsentRecord.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
        .order_by("-at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    bit = consent_bit(channel, purpose)
    bits = Coalesce(F("consent_bits"), Value(0))
    Customer.objects.filter(pk=customer_id).update(
        consent_bits=bits.bitor(bit)
        if latest == ConsentRecord.Status.GRANTED
        else NullIf(bits.bitand(ALL_CONSENT_BITS ^ bit), Value(0))  # none: NULL, as rebuilt
    )


@transaction.atomic
def consents_rebuild() -> int:
    """``Customer.consent_bits`` from the records, in set-based statements that write only
    the customers whose bits are wrong (after a bulk load; a check of the kept ones writes
    nothing). How many customers were corrected."""
    pairs = list(CONSENT_BIT_POSITIONS)
    bit_of = " ".join("WHEN channel = %s AND purpose = %s THEN %s" for _pair in pairs)
    params: list[Any] = [v for c, p in pairs for v in (c, p, consent_bit(c, p))]
    customers, records = Customer._meta.db_table, ConsentRecord._meta.db_table
    granted = (
        f"SELECT customer_id, SUM(CASE {bit_of} ELSE 0 END) AS bits FROM ("  # noqa: S608
        "  SELECT customer_id, channel, purpose, status, ROW_NUMBER() OVER ("
        "   PARTITION BY customer_id, channel, purpose ORDER BY at DESC, id DESC) AS n"
        f"  FROM {records}) latest"
        " WHERE n = 1 AND status = %s GROUP BY customer_id"
    )
    granted_params = [*params, ConsentRecord.Status.GRANTED]
    with connection.cursor() as cursor:
        # Rewriting every row would cost PostgreSQL a new version of each, in every index.
        cursor.execute(
            f"UPDATE {customers} SET consent_bits = NULL WHERE consent_bits IS NOT NULL"  # noqa: S608
            f" AND id NOT IN (SELECT customer_id FROM ({granted}) g)",
            granted_params,
        )
        cleared = cursor.rowcount
        cursor.execute(
            f"UPDATE {customers} SET consent_bits = granted.bits FROM ({granted}) granted"  # noqa: S608
            f" WHERE {customers}.id = granted.customer_id"
            f" AND {customers}.consent_bits IS DISTINCT FROM granted.bits",
            granted_params,
        )
        return int(cleared + cursor.rowcount)


# -- Timeline ---------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time without a zone is read in the current time zone (Asia/Bangkok by default)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@transaction.atomic
def interaction_log(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    summary: str,
    body: str = "",
    channel: str = "",
    occurred_at: dt.datetime | None = None,
) -> Interaction:
    interaction = Interaction(
        customer=customer,
        kind=kind,
        summary=(summary or "").strip(),
        body=body or "",
        channel=channel or "",
        occurred_at=_aware(occurred_at) if occurred_at else timezone.now(),
        user=actor if getattr(actor, "pk", None) else None,
    )
    interaction.full_clean(exclude=["customer", "user"])
    interaction.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=interaction,
        customer_id=customer.pk,
        changes=diff({}, snapshot(interaction, INTERACTION_FIELDS)),
    )
    if interaction.kind == Interaction.Kind.VISIT:
        visit_logged.send(Interaction, customer_id=customer.pk, occurred_at=interaction.occurred_at)
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: Any, interaction: Interaction, fields: Mapping[str, Any]
) -> Interaction:
    """Correct a timeline entry; who logged it and for whom stay as they were."""
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    before = snapshot(interaction, INTERACTION_FIELDS)
    was_at = interaction.occurred_at
    for name, value in fields.items():
        if name not in INTERACTION_EDITABLE:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(interaction, name, value)
    interaction.summary = (interaction.summary or "").strip()
    interaction.body = interaction.body or ""
    interaction.channel = interaction.channel or ""
    if interaction.occurred_at is not None:
        interaction.occurred_at = _aware(interaction.occurred_at)
    interaction.full_clean(exclude=["customer", "user"])
    interaction.save()
    changes = diff(before, snapshot(interaction, INTERACTION_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=interaction,
            customer_id=interaction.customer_id,
            changes=changes,
        )
        if Interaction.Kind.VISIT in (before["kind"], interaction.kind):
            history_changed.send(
                Interaction,
                customer_ids=[interaction.customer_id],
                moments=[was_at, interaction.occurred_at],
            )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: Any, interaction: Interaction) -> None:
    """Remove a timeline entry logged in error; the audit row keeps what it said.

    A hard delete, not an archive flag: an entry made by mistake (the wrong customer,
    a duplicate) should leave the timeline and every count built on it, and the audit
    log is where its trace belongs.
    """
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=interaction,
        customer_id=interaction.customer_id,
        changes=diff(snapshot(interaction, INTERACTION_FIELDS), dict.fromkeys(INTERACTION_FIELDS)),
    )
    interaction.delete()
    if interaction.kind == Interaction.Kind.VISIT:
        history_changed.send(
            Interaction, customer_ids=[interaction.customer_id], moments=[interaction.occurred_at]
        )


# -- Tags -------------------------------------------------------------------------------


@transaction.atomic
def tag_save(*, tag: Tag, name: str) -> Tag:
    tag.name = (name or "").strip()
    if not tag.name:
        raise ValidationError({"name": _("Enter a name.")})
    if Tag.objects.filter(name=tag.name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, actor: Any, tag: Tag) -> int:
    """Delete a tag and take it off every customer; returns how many customers had it.

    Each of those customers gets an audit row of its own (the tag's name, old → none),
    so a customer's change history is complete without looking for tag-wide events;
    the rows are written by one INSERT … SELECT over the tag's links, so a tag on
    200,000 customers costs one statement, not 200,000 round trips. One more row,
    without a customer, records the deletion itself with that count, so a tag that no
    one had still leaves a trace.
    """
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    links = Customer.tags.through.objects.filter(tag_id=tag.pk)
    changes = {"name": [tag.name, None]}
    count = audit_record_for_each(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=tag,
        changes=changes,
        rows=links,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=tag,
        changes={**changes, "customers": [count, 0]},
    )
    tag.delete()
    return count
