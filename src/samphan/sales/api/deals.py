"""/api/v1/pipelines and deals: the board's data, moves that refuse stale stages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import User
from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.access import deal_for_user
from samphan.sales.api.common import LineIn, lines_input, optional_money, router
from samphan.sales.models import Pipeline, Stage

# -- Pipelines and deals ----------------------------------------------------------------------


class StageOut(Schema):
    id: int
    name: str
    name_en: str
    position: int
    probability: int
    outcome: str


class PipelineOut(Schema):
    id: int
    name: str
    name_en: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(pipeline: Pipeline) -> list[Any]:
        return list(pipeline.stages.all())


class DealLineOut(Schema):
    product_id: int
    sku: str = Field(validation_alias="product.sku")
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal


class DealOut(Schema):
    id: int
    title: str
    customer_id: int
    pipeline_id: int
    stage_id: int
    stage: str = Field(validation_alias="stage.name_en")
    outcome: str = Field(validation_alias="stage.outcome")
    amount: Decimal
    expected_close: dt.date | None
    owner_id: int | None
    team_id: int | None
    source: str
    close_reason: str
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    notes: str
    lines: list[DealLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class DealPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, MaxChars(200)] | None = None
    customer_id: Id | None = None
    amount: Decimal | None = optional_money()
    expected_close: IsoDate | None = None
    owner_id: Id | None = None
    source: Annotated[str, MaxChars(30)] | None = None
    notes: Annotated[str, MaxChars(5000)] | None = None
    lines: list[LineIn] | None = Field(None, max_length=200)


class DealIn(DealPatch):
    title: Annotated[str, MaxChars(200)] = Field(min_length=1)
    customer_id: Id
    stage_id: Id | None = Field(
        None, description="the first stage of the default pipeline if left out"
    )


class DealMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage_id: Id
    expected_stage_id: Id | None = Field(
        None, description="the stage you saw; 409 when the deal has moved since"
    )
    reason: Annotated[str, MaxChars(200)] = ""


class DealPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[DealOut]


class DealParams(Schema):
    pipeline: Id | None = None
    stage: Id | None = None
    outcome: Annotated[str, OneOf(Stage.Outcome.values, blank=True)] = ""
    owner: Id | None = None
    team: Id | None = None
    customer: Id | None = None
    q: Search = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _deal_fields(request: Request, payload: DealPatch) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True, exclude={"lines", "stage_id"})
    fields = {name: value for name, value in data.items() if value is not None}
    if "customer_id" in fields:
        customer_id = fields.pop("customer_id")
        fields["customer"] = queries.visible_customer(
            request.user, customer_id, field="customer_id"
        )
    if "owner_id" in fields:
        owner = User.objects.filter(pk=fields.pop("owner_id"), is_active=True).first()
        if owner is None:
            raise ValidationError({"owner_id": "No active user with this id."})
        fields["owner"] = owner
    return fields


@router.get("/pipelines", response={200: list[PipelineOut], **ERRORS})
def pipeline_list(request: Request) -> Any:
    """Pipelines with their stages (win probability, outcome)."""
    require_perm(request.user, "sales.view_deal")
    return list(Pipeline.objects.prefetch_related("stages"))


@router.get("/deals", response={200: DealPage, **ERRORS})
def deal_list(request: Request, params: Query[DealParams]) -> Any:
    require_perm(request.user, "sales.view_deal")
    filters = queries.DealFilters(**params.model_dump(exclude={"page", "page_size"}))
    deals = queries.deal_list(request.user, filters).prefetch_related("lines__product")
    return page_of(deals, params.page, params.page_size)


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def deal_get(request: Request, deal_id: Id) -> Any:
    return deal_for_user(request.user, deal_id, perm="sales.view_deal")


@router.post("/deals", response={201: DealOut, **ERRORS})
def deal_create(request: Request, payload: DealIn) -> Any:
    require_perm(request.user, "sales.add_deal")
    stage = None
    if payload.stage_id is not None:
        stage = Stage.objects.filter(pk=payload.stage_id).first()
        if stage is None:
            raise ValidationError({"stage_id": f"No stage with id {payload.stage_id}."})
    deal = services.deal_create(
        actor=request.user,
        fields=_deal_fields(request, payload),
        stage=stage,
        lines=lines_input(payload.lines) if payload.lines else None,
    )
    return Status(201, deal_for_user(request.user, deal.pk, perm="sales.view_deal"))


@router.patch("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def deal_update(request: Request, deal_id: Id, payload: DealPatch) -> Any:
    """Change the fields sent; `lines` replaces the products (and so the amount)."""
    deal = deal_for_user(request.user, deal_id, perm="sales.change_deal")
    services.deal_update(
        actor=request.user,
        deal=deal,
        fields=_deal_fields(request, payload),
        lines=lines_input(payload.lines) if payload.lines is not None else None,
    )
    return deal_for_user(request.user, deal_id, perm="sales.view_deal")


@router.post("/deals/{deal_id}/move", response={200: DealOut, **ERRORS})
def deal_move(request: Request, deal_id: Id, payload: DealMoveIn) -> Any:
    """Move to a stage of the deal's pipeline; 409 when `expected_stage_id` is stale."""
    deal = deal_for_user(request.user, deal_id, perm="sales.change_deal")
    stage = Stage.objects.filter(pk=payload.stage_id).first()
    if stage is None:
        raise ValidationError({"stage_id": f"No stage with id {payload.stage_id}."})
    try:
        services.deal_move(
            actor=request.user,
            deal=deal,
            stage=stage,
            expected_stage_id=payload.expected_stage_id,
            reason=payload.reason,
        )
    except services.StaleStageError as error:
        detail = [
            {"loc": ["body", "expected_stage_id"], "msg": m, "type": "stale"}
            for m in error.messages
        ]
        return Status(409, {"detail": detail})
    return deal_for_user(request.user, deal_id, perm="sales.view_deal")
