"""/api/v1/segments: segments by rules or static lists, their live count and sample, their
customers, and a static list's members (counts and lists follow the caller's
visibility); /api/v1/campaigns: write, schedule, cancel, and read the results."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, IsoDateTime, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.seen import seen_many
from samphan.marketing import campaigns, queries, results, rules, services
from samphan.marketing.access import campaign_for_user, segment_for_user
from samphan.marketing.models import Campaign, Segment, Variant

router = Router(tags=["segments"])

Name = Annotated[str, MaxChars(120)]  # a segment's or a campaign's
Subject = Annotated[str, MaxChars(200)]
Body = Annotated[str, MaxChars(5000)]


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Name = Field(min_length=1)
    description: Annotated[str, MaxChars(300)] = ""
    kind: Annotated[str, OneOf(Segment.Kind.values)] = Segment.Kind.RULES
    rules: dict[str, Any] | None = Field(
        None, description="for kind=rules: {match: all|any, rules: [...]}; see GET /segments/fields"
    )


class SavedSegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    rules: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[SavedSegmentOut]


class PreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rules: dict[str, Any]


class CustomerBrief(Schema):
    id: int
    display_name: str
    stage: str
    tier: str
    is_vip: bool


class PreviewOut(Schema):
    count: int
    sample: list[CustomerBrief]


class CountOut(Schema):
    count: int


class SegmentCustomerPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[CustomerBrief]


class MarketingPageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class MembersIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_ids: list[Id] = Field(min_length=1, max_length=10_000)


class MembersOut(Schema):
    changed: int


def _save(request: Request, segment: Segment | None, payload: SegmentIn) -> Segment:
    return services.segment_save(
        actor=request.user,
        segment=segment,
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        rules=payload.rules,
    )


@router.get("/segments/fields", response={200: list[dict[str, Any]], **ERRORS})
def segment_fields(request: Request) -> Any:
    """What a rule may test: each field's key, operators, kind of value and choices."""
    require_perm(request.user, "marketing.view_segment")
    return [field.describe() for field in rules.all_fields().values()]


@router.get("/segments", response={200: SegmentPage, **ERRORS})
def segment_list(request: Request, params: Query[MarketingPageParams]) -> Any:
    require_perm(request.user, "marketing.view_segment")
    return page_of(Segment.objects.all(), params.page, params.page_size)


@router.post("/segments", response={201: SavedSegmentOut, **ERRORS})
def segment_create(request: Request, payload: SegmentIn) -> Any:
    """422 naming `rules` with the path of the first bad part (`rules.0.value: …`)."""
    require_perm(request.user, "marketing.add_segment")
    return Status(201, _save(request, None, payload))


@router.post("/segments/preview", response={200: PreviewOut, **ERRORS})
def segment_preview(request: Request, payload: PreviewIn) -> Any:
    """How many customers the rules select and the first ten by name, without saving."""
    require_perm(request.user, "marketing.view_segment")
    try:
        count, sample = queries.preview(request.user, payload.rules)
    except rules.RuleError as error:
        raise ValidationError({"rules": f"{error.path}: {error.message}"}) from error
    return {"count": count, "sample": sample}


@router.get("/segments/{segment_id}", response={200: SavedSegmentOut, **ERRORS})
def segment_detail(request: Request, segment_id: Id) -> Any:
    return segment_for_user(request.user, segment_id, perm="marketing.view_segment")


@router.put("/segments/{segment_id}", response={200: SavedSegmentOut, **ERRORS})
def segment_update(request: Request, segment_id: Id, payload: SegmentIn) -> Any:
    segment = segment_for_user(request.user, segment_id, perm="marketing.change_segment")
    return _save(request, segment, payload)


@router.delete("/segments/{segment_id}", response={204: None, **ERRORS})
def segment_delete(request: Request, segment_id: Id) -> Any:
    segment = segment_for_user(request.user, segment_id, perm="marketing.delete_segment")
    services.segment_delete(actor=request.user, segment=segment)
    return Status(204, None)


@router.get("/segments/{segment_id}/count", response={200: CountOut, **ERRORS})
def segment_count(request: Request, segment_id: Id) -> Any:
    segment = segment_for_user(request.user, segment_id, perm="marketing.view_segment")
    return {"count": queries.segment_count(request.user, segment)}


@router.get("/segments/{segment_id}/customers", response={200: SegmentCustomerPage, **ERRORS})
def segment_customers(request: Request, segment_id: Id, params: Query[MarketingPageParams]) -> Any:
    """The segment's customers the caller may see, by name."""
    segment = segment_for_user(request.user, segment_id, perm="marketing.view_segment")
    customers = queries.segment_customers(request.user, segment)
    page = page_of(customers, params.page, params.page_size)
    seen_many(request.user, [customer.pk for customer in page["items"]], "api")
    return page


@router.post("/segments/{segment_id}/members", response={200: MembersOut, **ERRORS})
def members_add(request: Request, segment_id: Id, payload: MembersIn) -> Any:
    """Add customers to a static list (those you may not see, archived ones and those
    on it already are left out; `changed` says how many were added)."""
    segment = segment_for_user(request.user, segment_id, perm="marketing.change_segment")
    added = services.members_add(
        actor=request.user, segment=segment, customer_ids=payload.customer_ids
    )
    return {"changed": added}


@router.post("/segments/{segment_id}/members/remove", response={200: MembersOut, **ERRORS})
def members_remove(request: Request, segment_id: Id, payload: MembersIn) -> Any:
    segment = segment_for_user(request.user, segment_id, perm="marketing.change_segment")
    removed = services.members_remove(
        actor=request.user, segment=segment, customer_ids=payload.customer_ids
    )
    return {"changed": removed}


# -- Campaigns -----------------------------------------------------------------------------------


class VariantIn(Schema):
    model_config = ConfigDict(extra="forbid")
    share: int = Field(50, ge=1, le=100)
    subject_th: Subject = ""
    text_th: Body = Field(min_length=1)
    subject_en: Subject = ""
    text_en: Body = ""


class CampaignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Name = Field(min_length=1)
    segment_id: Id
    channel: Annotated[str, OneOf(value for value, _label in Campaign.CHANNELS)] = (
        Campaign.PREFERRED
    )
    holdout_percent: int = Field(10, ge=0, le=50)
    conversion_days: int = Field(14, ge=1, le=90)
    baseline_percent: Decimal = Field(Decimal("5"), ge=Decimal("0.1"), le=90, decimal_places=2)
    effect_points: Decimal = Field(Decimal("2"), ge=Decimal("0.1"), le=50, decimal_places=2)
    variants: list[VariantIn] = Field(min_length=1, max_length=5)


class VariantOut(Schema):
    label: str
    share: int
    subject_th: str
    text_th: str
    subject_en: str
    text_en: str


class CampaignOut(Schema):
    id: int
    name: str
    segment_id: int
    channel: str
    status: str
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    holdout_percent: int
    conversion_days: int
    recipients_count: int
    variants: list[VariantOut]

    @staticmethod
    def resolve_variants(campaign: Campaign) -> list[Variant]:
        return list(campaign.variants.all())


class CampaignPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[CampaignOut]


class ScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    at: IsoDateTime | None = Field(None, description="empty: now")


class ComparisonOut(Schema):
    difference: float
    low: float
    high: float
    z: float
    p_value: float


class GroupOut(Schema):
    group: str = Field(description='"A", "B" … or "holdout"')
    recipients: int
    queued: int
    sent: int
    delivered: int = Field(
        description="confirmed by the channel: e-mail and LINE at hand-off, SMS by receipt"
    )
    failed: int
    skipped: int
    opened: int
    clicked: int
    converted: int
    conversion_rate: float
    revenue: Decimal
    against_first: ComparisonOut | None
    against_holdout: ComparisonOut | None


class ResultsOut(Schema):
    status: str
    needed_per_group: int
    window_ends: dt.datetime | None
    verdict: str
    groups: list[GroupOut]


@router.get("/campaigns", response={200: CampaignPage, **ERRORS}, tags=["campaigns"])
def campaign_list(request: Request, params: Query[MarketingPageParams]) -> Any:
    require_perm(request.user, "marketing.view_campaign")
    return page_of(Campaign.objects.prefetch_related("variants"), params.page, params.page_size)


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, tags=["campaigns"])
def campaign_create(request: Request, payload: CampaignIn) -> Any:
    """A draft campaign; 422 naming the field (`variants.0.subject_th`) when wrong."""
    require_perm(request.user, "marketing.add_campaign")
    fields = payload.dict(exclude={"variants"})
    variants = [variant.dict() for variant in payload.variants]
    return Status(
        201,
        campaigns.campaign_save(
            actor=request.user, campaign=None, fields=fields, variants=variants
        ),
    )


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, tags=["campaigns"])
def campaign_detail(request: Request, campaign_id: Id) -> Any:
    return campaign_for_user(request.user, campaign_id, perm="marketing.view_campaign")


@router.post(
    "/campaigns/{campaign_id}/schedule", response={200: CampaignOut, **ERRORS}, tags=["campaigns"]
)
def campaign_schedule(request: Request, campaign_id: Id, payload: ScheduleIn) -> Any:
    """Send now (no `at`) or at `at`: the worker draws the audience and queues the messages."""
    require_perm(request.user, "marketing.change_campaign")
    if payload.at is not None and payload.at < timezone.now():
        raise ValidationError({"at": _("Choose a time in the future, or none to send now.")})
    campaign = campaign_for_user(request.user, campaign_id)
    return campaigns.campaign_schedule(campaign=campaign, at=payload.at)


@router.post(
    "/campaigns/{campaign_id}/cancel", response={200: CampaignOut, **ERRORS}, tags=["campaigns"]
)
def campaign_cancel(request: Request, campaign_id: Id) -> Any:
    campaign = campaign_for_user(request.user, campaign_id, perm="marketing.change_campaign")
    return campaigns.campaign_cancel(campaign=campaign)


@router.get(
    "/campaigns/{campaign_id}/results", response={200: ResultsOut, **ERRORS}, tags=["campaigns"]
)
def campaign_results(request: Request, campaign_id: Id) -> Any:
    """Per variant and for the hold-out group; the verdict waits for the planned sample
    size and the end of the purchase window."""
    campaign = campaign_for_user(request.user, campaign_id, perm="marketing.view_campaign")
    found = results.campaign_results(campaign)
    return {
        "status": campaign.status,
        "needed_per_group": found.needed_per_group,
        "window_ends": found.window_ends,
        "verdict": found.verdict,
        "groups": [
            {**vars(group), "group": group.label or "holdout",
             "conversion_rate": group.conversion_rate,
             "against_first": vars(group.against_first) if group.against_first else None,
             "against_holdout": vars(group.against_holdout) if group.against_holdout else None}
            for group in found.groups
        ],
    }  # fmt: skip
