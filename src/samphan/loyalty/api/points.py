"""/api/v1/customers/{id}/points: a member's balance and their ledger, line by line; a
POST redeems or adjusts (a 422 naming the field when it cannot), once per
``Idempotency-Key``: a retry answers 200 with what the first posted.

/api/v1/loyalty/programme and /api/v1/loyalty/rules: the programme's settings and its
earning rules. Both are versioned, never edited in place: a PUT that changes something
saves a new version (a rule's old version is closed, ``replaced_by_id``) and answers with
the version now in force; one that changes nothing answers with the same version."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Header, Query, Schema, Status
from pydantic import ConfigDict, StrictInt

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.loyalty import services
from samphan.loyalty.api.common import RECENT, router
from samphan.loyalty.models import PointsEntry
from samphan.loyalty.services.changes import STAFF_KINDS


class PointsEntryOut(Schema):
    id: int
    kind: str = Field(description="earn, redeem, expire, adjust or reverse")
    cause: str = Field(description="order, refund, campaign, referral, staff or expiry")
    points: int = Field(description="negative when spent, expired or taken back")
    order_id: int | None
    expires_on: dt.date | None
    basis: dict[str, Any] | None = Field(
        description="how an order's points were counted: per (baht a point), rate, rates "
        "by product id, bonus, cap, the programme and rule versions"
    )
    note: str
    at: dt.datetime


class PointsOut(Schema):
    points: int = Field(description="the balance: the sum of the ledger")
    baht_per_point: str = Field(description="the base rate in force")
    recent: list[PointsEntryOut]


class LedgerPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[PointsEntryOut]


class LedgerParams(Schema):
    kind: Annotated[str, OneOf(PointsEntry.Kind.values, blank=True)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class PointsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf([str(kind) for kind in STAFF_KINDS])]
    points: StrictInt = Field(description="redeem: how many to take off (> 0); adjust: + or -")
    note: Annotated[str, MaxChars(200)] = ""


def _points(customer: Customer) -> dict[str, Any]:
    return {
        "points": services.balance_of(customer.pk),
        "baht_per_point": str(services.programme_current().baht_per_point),
        "recent": list(PointsEntry.objects.filter(customer=customer)[:RECENT]),
    }


@router.get("/customers/{customer_id}/points", response={200: PointsOut, **ERRORS})
def points_detail(request: Request, customer_id: Id) -> Any:
    return _points(customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry"))


@router.get("/customers/{customer_id}/points/ledger", response={200: LedgerPage, **ERRORS})
def points_ledger(request: Request, customer_id: Id, params: Query[LedgerParams]) -> Any:
    """Every row of the member's ledger, newest first; ``kind`` narrows it."""
    customer = customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry")
    rows = PointsEntry.objects.filter(customer=customer)
    if params.kind:
        rows = rows.filter(kind=params.kind)
    return page_of(rows, params.page, params.page_size)


@router.post("/customers/{customer_id}/points", response={200: PointsOut, 201: PointsOut, **ERRORS})
def points_change(
    request: Request,
    customer_id: Id,
    payload: PointsIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="loyalty.add_pointsentry")
    try:
        _entry, created = services.points_record(
            actor=request.user, customer=customer, key=idempotency_key, **payload.model_dump()
        )
    except ValidationError as error:
        if "key" in error.message_dict:  # a header, named as such
            raise ValidationError({"Idempotency-Key": error.message_dict["key"]}) from error
        raise
    return Status(201 if created else 200, _points(customer))


# -- The programme and its earning rules ------------------------------------------------------
