"""What staff (and the API) change by hand: a redemption or an adjustment, validated,
written in one transaction with the member's row locked (two redemptions at once cannot
both spend the same points: the second waits and reads the first's balance), audited,
and posted once per idempotency key however often a request is retried."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.loyalty.models import Member, PointsEntry
from samphan.loyalty.services.ledger import balances_add

MOST_AT_ONCE = 1_000_000
STAFF_KINDS = (PointsEntry.Kind.REDEEM, PointsEntry.Kind.ADJUST)
KEY_LENGTH = 100


def _checked(kind: str, points: Any, note: str, key: str | None) -> str:
    errors: dict[str, str] = {}
    if kind not in STAFF_KINDS:
        errors["kind"] = _("Choose redeem or adjust.")
    if isinstance(points, bool) or not isinstance(points, int):
        errors["points"] = _("Enter a whole number of points.")
    elif not 0 < abs(points) <= MOST_AT_ONCE:
        errors["points"] = _("Enter a number of points from 1 to 1,000,000.")
    elif kind == PointsEntry.Kind.REDEEM and points < 0:
        errors["points"] = _("Enter the points to redeem as a positive number.")
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    if key is not None and not 0 < len(key) <= KEY_LENGTH:
        errors["key"] = _("An idempotency key has 1 to 100 characters.")
    if errors:
        raise ValidationError(errors)
    return note


def member_locked(customer_id: int) -> Member:
    """The member's row, locked to the end of the transaction (made, at 0, if missing)."""
    Member.objects.bulk_create([Member(customer_id=customer_id)], ignore_conflicts=True)
    return Member.objects.select_for_update().get(customer_id=customer_id)


@transaction.atomic
def points_record(
    *,
    actor: User | None,
    customer: Customer,
    kind: str,
    points: Any,
    note: str = "",
    key: str | None = None,
) -> tuple[PointsEntry, bool]:
    """Redeem ``points`` (a positive number, taken off) or adjust by ``points`` (either
    sign); returns ``(entry, created)``. With a ``key`` already posted, the entry it posted
    and nothing written. ``ValidationError`` naming the field and nothing written when the
    change cannot be made (a balance never goes below zero by hand)."""
    note = _checked(kind, points, note, key)
    stored_key = f"staff:{key}" if key else None
    available = member_locked(customer.pk).points
    if stored_key and (done := PointsEntry.objects.filter(key=stored_key).first()):
        if done.customer_id != customer.pk:
            raise ValidationError({"key": _("This idempotency key was used for another customer.")})
        return done, False
    change = -points if kind == PointsEntry.Kind.REDEEM else points
    if available + change < 0:
        raise ValidationError(
            {"points": _("Only %(points)s points are available.") % {"points": f"{available:,}"}}
        )
    entry = PointsEntry.objects.create(
        posted_at=timezone.now(),
        customer=customer,
        kind=kind,
        cause=PointsEntry.Cause.STAFF,
        points=change,
        key=stored_key,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    balances_add({customer.pk: change})
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=entry,
        customer_id=customer.pk,
        changes={"kind": [None, kind], "points": [None, change], "note": [None, note]},
    )
    return entry, True
