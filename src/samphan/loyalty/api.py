"""/api/v1/customers/{id}/points: a customer's balance and its recent changes; a POST
redeems or adjusts (a 422 naming the field when it cannot)."""

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.loyalty import services
from samphan.loyalty.models import PointsEntry

router = Router(tags=["points"])
RECENT = 20


class PointsEntryOut(Schema):
    id: int
    kind: str
    points: int
    note: str
    at: dt.datetime


class PointsOut(Schema):
    points: int = Field(description="the balance: earned + changed")
    earned: int = Field(description="a point for every baht_per_point of net spend")
    changed: int = Field(description="redemptions and adjustments, summed")
    baht_per_point: str
    recent: list[PointsEntryOut]


class PointsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(PointsEntry.Kind.values)]
    points: int = Field(description="redeem: how many to take off (> 0); adjust: + or -")
    note: Annotated[str, MaxChars(200)] = ""


def _points(customer: Customer) -> dict[str, Any]:
    balance = services.balance_of(customer.pk)
    return {
        "points": balance.points,
        "earned": balance.earned,
        "changed": balance.changed,
        "baht_per_point": str(settings.SAMPHAN_BAHT_PER_POINT),
        "recent": list(PointsEntry.objects.filter(customer=customer)[:RECENT]),
    }


@router.get("/customers/{customer_id}/points", response={200: PointsOut, **ERRORS})
def points_detail(request: Request, customer_id: Id) -> Any:
    return _points(customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry"))


@router.post("/customers/{customer_id}/points", response={201: PointsOut, **ERRORS})
def points_change(request: Request, customer_id: Id, payload: PointsIn) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="loyalty.add_pointsentry")
    services.points_record(actor=request.user, customer=customer, **payload.model_dump())
    return Status(201, _points(customer))
