"""/api/v1/leads: capture, assignment, conversion."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team, User
from samphan.api.schemas import ERRORS, Email, Id, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.access import lead_for_user
from samphan.sales.api.common import optional_money, router
from samphan.sales.models import Lead, Stage

# -- Leads ------------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    customer_id: int
    customer_name: str = Field(validation_alias="customer.display_name")
    status: str
    source: str
    campaign: str
    message: str
    owner_id: int | None
    team_id: int | None
    matched_existing: bool
    unconfirmed_match: bool
    deal_id: int | None
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str


class LeadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    first_name: Annotated[str, MaxChars(100)] = ""
    last_name: Annotated[str, MaxChars(100)] = ""
    nickname: Annotated[str, MaxChars(50)] = ""
    company_name: Annotated[str, MaxChars(200)] = ""
    job_title: Annotated[str, MaxChars(100)] = ""
    phone: Annotated[str, MaxChars(40)] = ""
    email: Email = ""
    message: Annotated[str, MaxChars(5000)] = ""
    source: Annotated[str, MaxChars(20)] = ""
    campaign: Annotated[str, MaxChars(100)] = ""
    owner_id: Id | None = None
    team_id: Id | None = Field(None, description="round-robin among the team when no owner_id")


class LeadAssignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    owner_id: Id | None = None
    team_id: Id | None = None


class LeadConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage: Annotated[str, OneOf([Customer.Stage.PROSPECT, Customer.Stage.CUSTOMER])] = (
        Customer.Stage.PROSPECT
    )
    company_name: Annotated[str, MaxChars(200)] = ""
    deal_title: Annotated[str, MaxChars(200)] = ""
    deal_amount: Decimal | None = optional_money()
    deal_stage_id: Id | None = None
    merge_into_id: Id | None = Field(
        None, description="a duplicate customer to merge the lead into"
    )


class LeadDisqualifyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, MaxChars(200)] = Field(min_length=1)


class LeadPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[LeadOut]


class LeadParams(Schema):
    status: Annotated[str, OneOf([*Lead.Status.values, "open", "all"])] = "open"
    owner: Id | None = None
    campaign: Annotated[str, MaxChars(100)] = ""
    q: Search = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _active_user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({field: "No active user with this id."})
    return user


def _team(pk: int | None) -> Team | None:
    if pk is None:
        return None
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise ValidationError({"team_id": "No team with this id."})
    return team


@router.get("/leads", response={200: LeadPage, **ERRORS})
def lead_list(request: Request, params: Query[LeadParams]) -> Any:
    """Leads the caller may see; `status=open` (the default) means new or working."""
    require_perm(request.user, "sales.view_lead")
    filters = queries.LeadFilters(
        status=params.status, owner=params.owner, campaign=params.campaign, q=params.q
    )
    return page_of(queries.lead_list(request.user, filters), params.page, params.page_size)


@router.get("/leads/{lead_id}", response={200: LeadOut, **ERRORS})
def lead_get(request: Request, lead_id: Id) -> Any:
    return lead_for_user(request.user, lead_id, perm="sales.view_lead")


@router.post("/leads", response={201: LeadOut, **ERRORS})
def lead_create(request: Request, payload: LeadIn) -> Any:
    """Capture an enquiry; a known phone or e-mail links it to that customer (no duplicate)."""
    require_perm(request.user, "sales.add_lead")
    owner = _active_user(payload.owner_id, "owner_id")
    team = _team(payload.team_id)
    lead = services.lead_capture(
        actor=request.user,
        data=services.lead_fields_from(payload.model_dump()),
        owner=owner if owner or team else request.user,
        team=team if owner is None else None,
    )
    return Status(201, lead_for_user(request.user, lead.pk, perm="sales.view_lead"))


@router.post("/leads/{lead_id}/assign", response={200: LeadOut, **ERRORS})
def lead_assign(request: Request, lead_id: Id, payload: LeadAssignIn) -> Any:
    """Give the lead to `owner_id`, or to the next member of `team_id` in turn."""
    lead = lead_for_user(request.user, lead_id, perm="sales.change_lead")
    owner = _active_user(payload.owner_id, "owner_id")
    team = _team(payload.team_id)
    if owner:
        services.lead_assign(actor=request.user, lead=lead, owner=owner)
    elif team:
        services.lead_assign_round_robin(actor=request.user, lead=lead, team=team)
    else:
        raise ValidationError({"owner_id": "Give owner_id or team_id."})
    return lead_for_user(request.user, lead_id, perm="sales.view_lead")


@router.post("/leads/{lead_id}/convert", response={200: LeadOut, **ERRORS})
def lead_convert(request: Request, lead_id: Id, payload: LeadConvertIn) -> Any:
    """Qualify and convert in one step: stage, company, deal, merge; all or nothing."""
    lead = lead_for_user(request.user, lead_id, perm="sales.change_lead")
    merge_into = None
    if payload.merge_into_id is not None:
        merge_into = (
            queries.lead_duplicates(request.user, lead).filter(pk=payload.merge_into_id).first()
        )
        if merge_into is None:
            raise ValidationError(
                {"merge_into_id": "Not a duplicate of this lead that you can see."}
            )
    deal_stage = None
    if payload.deal_stage_id is not None:
        deal_stage = Stage.objects.filter(pk=payload.deal_stage_id).first()
        if deal_stage is None:
            raise ValidationError({"deal_stage_id": "No stage with this id."})
    conversion = services.Conversion(
        stage=payload.stage,
        company_name=payload.company_name,
        deal_title=payload.deal_title,
        deal_amount=payload.deal_amount,
        deal_stage=deal_stage,
        merge_into=merge_into,
    )
    services.lead_convert(actor=request.user, lead=lead, conversion=conversion)
    return lead_for_user(request.user, lead_id, perm="sales.view_lead")


@router.post("/leads/{lead_id}/disqualify", response={200: LeadOut, **ERRORS})
def lead_disqualify(request: Request, lead_id: Id, payload: LeadDisqualifyIn) -> Any:
    lead = lead_for_user(request.user, lead_id, perm="sales.change_lead")
    services.lead_disqualify(actor=request.user, lead=lead, reason=payload.reason)
    return lead_for_user(request.user, lead_id, perm="sales.view_lead")
