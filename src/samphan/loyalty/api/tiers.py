"""/api/v1/customers/{id}/tier: a member's tier, what it is judged on, how far the next
one is, and the history of its changes."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from ninja import Field, Schema

from samphan.api.schemas import ERRORS, Id
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.loyalty.api.common import _decimal, router
from samphan.loyalty.models import TierChange
from samphan.loyalty.services import programme_current, tiers

HISTORY = 20


class TierChangeOut(Schema):
    from_tier: str
    to_tier: str
    reason: str = Field(description="qualified (at once), review or staff")
    amount: str | None = Field(description="the spend or points it was judged on")
    at: dt.datetime

    @staticmethod
    def resolve_amount(change: TierChange) -> str | None:
        return _decimal(change.amount)


class TierOut(Schema):
    customer_id: int
    tier: str = Field(description="none, silver, gold or platinum")
    tiers_by: str = Field(description="spend, points (in the window) or staff")
    window_months: int
    window_amount: str = Field(description="spend (baht) or points in the window")
    next_tier: str | None = Field(description="null at the top, or when staff set tiers")
    short_by: str | None = Field(description="how much more spend or points it needs")
    keeps_until: dt.date | None = Field(description="a grace after a review found it short")
    history: list[TierChangeOut] = Field(description="the newest 20 changes")


@router.get("/customers/{customer_id}/tier", response={200: TierOut, **ERRORS})
def customer_tier(request: Request, customer_id: Id) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry")
    programme = programme_current()
    found = tiers.standing(programme, timezone.localdate(), Q(pk=customer.pk))
    _pk, tier, amount, grace = found[0] if found else (customer.pk, customer.tier, 0, None)
    up = tiers.next_tier(programme, tier, Decimal(amount))
    return {
        "customer_id": customer.pk,
        "tier": tier,
        "tiers_by": programme.tiers_by,
        "window_months": programme.tier_window_months,
        "window_amount": _decimal(Decimal(amount)),
        "next_tier": up.tier if up else None,
        "short_by": _decimal(up.short_by) if up else None,
        "keeps_until": grace,
        "history": list(TierChange.objects.filter(customer=customer)[:HISTORY]),
    }
