"""A customer's phones, e-mails and handles: add, change, remove, each audited, with the
one-preferred rule and the duplicate rule; and what they derive on the customer."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from samphan.customers.search import build_search_document
from samphan.customers.services.duplicates import contact_value_normalise, duplicates_decide

CONTACT_FIELDS = ("kind", "value", "label", "is_preferred")


def refresh_derived(customer: Customer) -> None:
    """The display name and the search document, which the name fields and the contact
    points make."""
    contacts = customer.contact_points.values_list("kind", "value")
    customer.display_name = customer.compute_display_name()
    customer.search_document = build_search_document(customer, contacts)
    Customer.objects.filter(pk=customer.pk).update(
        display_name=customer.display_name, search_document=customer.search_document
    )


def _unset_preferred(customer: Customer, *, actor: User | None, keep_id: int | None = None) -> None:
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


def _save_contact_point(contact_point: ContactPoint, before: dict[str, Any] | None = None) -> None:
    """Validate and save; with ``before`` (a snapshot), nothing is written when the
    validated values equal it."""
    try:
        contact_point.full_clean(exclude=["customer"], validate_constraints=False)
        if before is not None and not diff(before, snapshot(contact_point, CONTACT_FIELDS)):
            return
        with transaction.atomic():
            contact_point.save()
    except IntegrityError as error:
        raise ValidationError(
            {"value": _("This customer already has this contact point.")}
        ) from error


def contact_point_add(
    *,
    actor: User | None,
    customer: Customer,
    kind: str,
    value: str,
    label: str = "",
    is_preferred: bool = False,
    allow_duplicate: bool = False,
) -> ContactPoint:
    """``DuplicateContactError`` (on ``value``) when another customer has this phone or e-mail,
    unless ``allow_duplicate``."""
    if kind not in ContactPoint.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of contact point.")})
    value = contact_value_normalise(kind, value)
    review = duplicates_decide(
        [(kind, value)], actor=actor, field="value", exclude_id=customer.pk,
        allow_duplicate=allow_duplicate,
    )  # fmt: skip
    with transaction.atomic():
        if review:
            duplicate_review_flag(customer)
        return _contact_point_add(actor, customer, kind, value, label, is_preferred)


def _contact_point_add(
    actor: User | None, customer: Customer, kind: str, value: str, label: str, is_preferred: bool
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
    refresh_derived(customer)
    return contact_point


def contact_point_update(
    *,
    actor: User | None,
    contact_point: ContactPoint,
    fields: Mapping[str, Any],
    allow_duplicate: bool = False,
) -> ContactPoint:
    """``DuplicateContactError`` (on ``value``) when the phone or e-mail changes to one another
    customer has, unless ``allow_duplicate``."""
    kind = fields.get("kind", contact_point.kind)
    if kind not in ContactPoint.Kind.values:
        raise ValidationError({"kind": _("Choose a valid kind of contact point.")})
    value = contact_value_normalise(kind, fields.get("value", contact_point.value))
    review = False
    if (kind, value) != (contact_point.kind, contact_point.value):
        review = duplicates_decide(
            [(kind, value)], actor=actor, field="value", exclude_id=contact_point.customer_id,
            allow_duplicate=allow_duplicate,
        )  # fmt: skip
    with transaction.atomic():
        if review:
            duplicate_review_flag(contact_point.customer)
        return _contact_point_update(actor, contact_point, {**fields, "kind": kind, "value": value})


def _contact_point_update(
    actor: User | None, contact_point: ContactPoint, fields: Mapping[str, Any]
) -> ContactPoint:
    contact_point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    before = snapshot(contact_point, CONTACT_FIELDS)
    contact_point.kind = fields["kind"]
    contact_point.value = fields["value"]
    contact_point.label = fields.get("label", contact_point.label) or ""
    contact_point.is_preferred = bool(fields.get("is_preferred", contact_point.is_preferred))
    if contact_point.is_preferred:
        _unset_preferred(contact_point.customer, actor=actor, keep_id=contact_point.pk)
    _save_contact_point(contact_point, before)
    changes = diff(before, snapshot(contact_point, CONTACT_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=contact_point,
            customer_id=contact_point.customer_id,
            changes=changes,
        )
    refresh_derived(contact_point.customer)
    return contact_point


@transaction.atomic
def contact_point_remove(*, actor: User | None, contact_point: ContactPoint) -> None:
    customer = contact_point.customer
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=contact_point,
        customer_id=customer.pk,
        changes=diff(snapshot(contact_point, CONTACT_FIELDS), dict.fromkeys(CONTACT_FIELDS)),
    )
    contact_point.delete()
    refresh_derived(customer)


def duplicate_review_flag(customer: Customer) -> None:
    """Flag ``customer`` for a manager's review: it was given a phone or e-mail that a
    customer its editor cannot see has (``duplicates_decide``)."""
    Customer.objects.filter(pk=customer.pk).update(duplicate_review=True)
    customer.duplicate_review = True


def duplicate_review_clear(*, actor: User | None, customer: Customer) -> None:
    """A manager looked at the flagged customer: the flag goes, audited."""
    with transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(duplicate_review=False)
        customer.duplicate_review = False
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=customer,
            customer_id=customer.pk,
            changes={"duplicate_review": [True, False]},
        )
