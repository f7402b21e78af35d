"""Points balances and the changes staff make to them (see ``models`` for how points are
earned). Every change is validated, written in one transaction with the customer's row
locked (two redemptions at once cannot both spend the same points) and audited."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.analytics import queries as analytics
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.loyalty.models import PointsEntry

MOST_AT_ONCE = 1_000_000


@dataclass(frozen=True)
class Balance:
    earned: int  # from net spend
    changed: int  # redeemed and adjusted, summed (negative when spent)

    @property
    def points(self) -> int:
        return self.earned + self.changed


def points_earned(revenue: Decimal) -> int:
    if revenue <= 0:
        return 0
    per = settings.SAMPHAN_BAHT_PER_POINT
    return int((revenue / per).to_integral_value(rounding=ROUND_FLOOR))


def balances(customer_ids: list[int]) -> dict[int, Balance]:
    """Every listed customer's balance in two queries (a campaign's thousand at once)."""
    revenue = analytics.lifetime_revenue(customer_ids)
    changed = dict(
        PointsEntry.objects.filter(customer_id__in=customer_ids)
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("points"))
        .values_list("customer_id", "total")
    )
    return {
        pk: Balance(points_earned(revenue.get(pk, Decimal(0))), int(changed.get(pk) or 0))
        for pk in customer_ids
    }


def balance_of(customer_id: int) -> Balance:
    return balances([customer_id])[customer_id]


@transaction.atomic
def points_record(
    *, actor: User | None, customer: Customer, kind: str, points: Any, note: str = ""
) -> PointsEntry:
    """Redeem ``points`` (a positive number, taken off) or adjust by ``points`` (either
    sign); ``ValidationError`` naming the field and nothing written when it cannot be."""
    errors: dict[str, str] = {}
    if kind not in PointsEntry.Kind.values:
        errors["kind"] = _("Choose redeem or adjust.")
    if isinstance(points, bool) or not isinstance(points, int):
        errors["points"] = _("Enter a whole number of points.")
    elif not 0 < abs(points) <= MOST_AT_ONCE:
        errors["points"] = _("Enter a number of points from 1 to 1,000,000.")
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    if errors:
        raise ValidationError(errors)
    # Locks the customer's row: a second change waits for this one's balance.
    Customer.objects.select_for_update().filter(pk=customer.pk).exists()
    available = balance_of(customer.pk).points
    change = -points if kind == PointsEntry.Kind.REDEEM else points
    if kind == PointsEntry.Kind.REDEEM and points < 0:
        raise ValidationError({"points": _("Enter the points to redeem as a positive number.")})
    if available + change < 0:
        raise ValidationError(
            {"points": _("Only %(points)s points are available.") % {"points": f"{available:,}"}}
        )
    entry = PointsEntry.objects.create(
        customer=customer,
        kind=kind,
        points=change,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=entry,
        customer_id=customer.pk,
        changes={"kind": [None, kind], "points": [None, change], "note": [None, note]},
    )
    return entry
