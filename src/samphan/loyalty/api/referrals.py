"""/api/v1 referrals: a member's code and links, the referrals (a friend linked by code,
their status and why), deciding those set aside for review."""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import record_for_user, require_perm
from samphan.customers.access import customer_for_user
from samphan.loyalty.api.common import router
from samphan.loyalty.models import Referral
from samphan.loyalty.public import member_page_url, referral_url
from samphan.loyalty.services.referrals import (
    referral_code_of,
    referral_decide,
    referral_link,
    referrer_by_code,
)


class ReferralCodeOut(Schema):
    customer_id: int
    code: str = Field(description="the member's referral code, given on first asking")
    link: str = Field(description="the sign-up page under the member's invitation")
    member_page: str = Field(description="the member's own page: signed, good for 90 days")


class ReferralOut(Schema):
    id: int
    referrer_id: int = Field(description="the member whose code brought the friend")
    referred_id: int = Field(description="the friend")
    code: str
    channel: str = Field(description="signup, staff or api")
    status: str = Field(description="pending, holding, review, rewarded or rejected")
    reason: str = Field(description="why rejected: self, device, limit or staff; else empty")
    order_id: int | None = Field(description="the friend's qualifying order")
    qualifies_on: dt.date | None = Field(description="with holding: the day both are rewarded")
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ReferralPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[ReferralOut]


class ReferralParams(Schema):
    status: Annotated[str, OneOf(Referral.Status.values, blank=True)] = ""
    referrer_id: Id | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id = Field(description="the friend")
    code: Annotated[str, MaxChars(12)] = Field(min_length=1, description="the member's code")


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    approve: bool


@router.get("/customers/{customer_id}/referral-code", response={200: ReferralCodeOut, **ERRORS})
def referral_code(request: Request, customer_id: Id) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry")
    code = referral_code_of(customer.pk)
    return {
        "customer_id": customer.pk,
        "code": code,
        "link": referral_url(code),
        "member_page": member_page_url(customer.pk),
    }


@router.get("/loyalty/referrals", response={200: ReferralPage, **ERRORS})
def referral_list(request: Request, params: Query[ReferralParams]) -> Any:
    """The referrals of friends the user may see, the newest first."""
    require_perm(request.user, "loyalty.view_referral")
    found = Referral.objects.visible_to(request.user).order_by("-created_at", "-id")
    if params.status:
        found = found.filter(status=params.status)
    if params.referrer_id is not None:
        found = found.filter(referrer_id=params.referrer_id)
    return page_of(found, params.page, params.page_size)


@router.post("/loyalty/referrals", response={201: ReferralOut, **ERRORS})
def referral_create(request: Request, payload: ReferralIn) -> Any:
    """Link a friend to the member whose code they brought. The fraud rules decide the
    status (``rejected`` with its reason, or ``review``); a 422 on ``code`` when the link
    cannot be made at all (an unknown code, the member themselves, already referred)."""
    friend = customer_for_user(request.user, payload.customer_id, perm="loyalty.add_pointsentry")
    referral = referral_link(
        actor=request.user,
        referrer=referrer_by_code(payload.code),
        friend=friend,
        channel=Referral.Channel.API,
        code=payload.code.strip().upper(),
    )
    return Status(201, referral)


@router.post("/loyalty/referrals/{referral_id}/decision", response={200: ReferralOut, **ERRORS})
def referral_decision(request: Request, referral_id: Id, payload: DecisionIn) -> Any:
    """Approve (back to pending: rewarded once the friend's order stands) or refuse a
    referral waiting for review; approving also reverses a rule's refusal."""
    referral = record_for_user(
        Referral.objects.all(), request.user, referral_id, perm="loyalty.change_referral"
    )
    return referral_decide(actor=request.user, referral=referral, approve=payload.approve)
