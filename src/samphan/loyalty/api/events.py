"""/api/v1/loyalty/events: every change of points, as events another system reads in
order. Each row of the ledger is an event (earned, redeemed, expired, adjusted, taken
back), its id the cursor: read with ``after`` set to the last id you have.

A row is given once it has been written for ``HOLD`` seconds. On PostgreSQL ids are taken
when a row is inserted, not when its transaction commits, so a row with a lower id can
appear after one with a higher id was read; holding back the newest rows (and stopping at
the first one still held) means no row is ever passed over by the cursor."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Schema

from samphan.api.schemas import ERRORS
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.loyalty.api.common import router
from samphan.loyalty.models import PointsEntry

HOLD = dt.timedelta(seconds=30)


class EventOut(Schema):
    id: int = Field(description="the cursor: ids only grow")
    customer_id: int
    kind: str = Field(description="earn, redeem, expire, adjust or reverse")
    cause: str = Field(description="order, refund, campaign, referral, reward, staff or expiry")
    points: int = Field(description="negative when spent, expired or taken back")
    order_id: int | None
    expires_on: dt.date | None
    at: dt.datetime = Field(description="when the change happened (an order's time)")


class EventPage(Schema):
    items: list[EventOut]
    next_after: int = Field(description="send as after= next time (the same when none)")
    held: bool = Field(description="true: newer rows are held back for a few seconds")


class EventParams(Schema):
    after: int = Field(0, ge=0, description="the last id already read; 0 from the start")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/loyalty/events", response={200: EventPage, **ERRORS})
def loyalty_events(request: Request, params: Query[EventParams]) -> Any:
    """The ledger's rows after ``after``, oldest first, of the customers the user may
    see; rows written in the last 30 seconds wait for the next call."""
    require_perm(request.user, "loyalty.view_pointsentry")
    rows = list(
        PointsEntry.objects.visible_to(request.user)
        .filter(id__gt=params.after)
        .order_by("id")[: params.limit]
    )
    settled = timezone.now() - HOLD
    given = []
    for row in rows:
        if row.posted_at is not None and row.posted_at > settled:
            break
        given.append(row)
    return {
        "items": given,
        "next_after": given[-1].pk if given else params.after,
        "held": len(given) < len(rows),
    }
