"""What a contact value is once stored, and the one duplicate-contact rule: a phone or
e-mail that another active customer already has."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.permissions import sees_all_records
from samphan.core.phones import normalise_phone
from samphan.customers.models import ContactPoint, Customer, CustomerQuerySet


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
    # The contact points first, every kind named so that the (kind, value) index finds
    # the values (the kinds change nothing about who matches): with a join on the value
    # alone SQLite scanned every active customer (50 ms a batch of an import at 100,000).
    holders = ContactPoint.objects.filter(kind__in=ContactPoint.Kind.values, value__in=values)
    matches = Customer.objects.active().filter(pk__in=holders.values("customer_id"))
    if exclude_id:
        matches = matches.exclude(pk=exclude_id)
    return matches


class DuplicateContactError(ValidationError):
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


def refuse_duplicates(
    contacts: Iterable[tuple[str, str]], *, field: str, exclude_id: int | None = None
) -> None:
    """Raise ``DuplicateContactError`` naming ``field`` when another customer has one of these
    (normalised) phones or e-mails."""
    customers = duplicates_of(contacts, exclude_id=exclude_id)
    count = customers.count()
    if count:
        raise DuplicateContactError(field=field, customers=customers, count=count)


def duplicates_decide(
    contacts: Iterable[tuple[str, str]],
    *,
    actor: User | None,
    field: str,
    exclude_id: int | None = None,
    allow_duplicate: bool = False,
) -> bool:
    """The duplicate rule for a save by ``actor``; True when the save goes ahead but must be
    flagged for a manager's review (``Customer.duplicate_review``).

    Someone who sees every customer (or the system) gets ``DuplicateContactError`` unless
    ``allow_duplicate``. Someone limited to some customers is told only about those they
    can see; a phone or e-mail held only by customers they cannot see is saved as if new
    and flagged, so the answer does not reveal that it exists (issue 20)."""
    if actor is None or sees_all_records(actor):
        if not allow_duplicate:
            refuse_duplicates(contacts, field=field, exclude_id=exclude_id)
        return False
    customers = duplicates_of(contacts, exclude_id=exclude_id)
    count = customers.count()
    if not count:
        return False
    visible = customers.visible_to(actor)
    visible_count = visible.count()
    if visible_count and not allow_duplicate:
        raise DuplicateContactError(field=field, customers=visible, count=visible_count)
    return visible_count < count


def normalised_contacts(contacts: list[Mapping[str, Any]]) -> list[tuple[str, str]]:
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
