"""/api/v1/analytics/funnel: the lifecycle and pipeline funnels of a period."""

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Query, Schema
from pydantic import ConfigDict, Field

from samphan.analytics import funnel
from samphan.analytics.api.common import (
    DEFAULT_PERIOD,
    PeriodOut,
    PeriodParams,
    PresetName,
    period_out,
    router,
)
from samphan.api.schemas import ERRORS, Id, IsoDate
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.sales.models import Pipeline


class StepOut(Schema):
    key: str = Field(description="leads, converted, bought, repeat")
    count: int
    rate: float | None = Field(description="of the step before")
    overall: float | None = Field(description="of the leads")
    median_days: float | None = Field(description="from the step before")


class SourceOut(Schema):
    value: str
    leads: int
    converted: int
    bought: int
    repeat: int


class ChannelOut(Schema):
    channel: str = Field(description="the channel of the customers' first purchase")
    new: int = Field(description="customers whose first purchase fell in the period")
    repeat: int = Field(description="of those, who have bought again since")
    repeat_rate: float | None
    median_days: float | None = Field(description="from the first purchase to the second")


class StageStepOut(Schema):
    stage_id: int
    name: str
    reached: int
    rate: float | None


class FunnelParams(Schema):
    model_config = ConfigDict(extra="forbid")
    period: PresetName | None = None
    since: IsoDate | None = None
    until: IsoDate | None = None
    pipeline: Id | None = Field(None, description="default: the default pipeline")


class FunnelOut(Schema):
    period: PeriodOut
    as_of: dt.datetime | None = Field(
        description="for a preset period, the moment of the "
        "figures (kept fresh by the worker every 15 s); null: counted for this request"
    )
    lifecycle: list[StepOut]
    by_source: list[SourceOut]
    by_channel: list[ChannelOut] = Field(description="empty without permission to see orders")
    pipeline_id: int | None
    pipeline: list[StageStepOut]


@router.get("/analytics/funnel", response={200: FunnelOut, **ERRORS})
def funnel_report(request: Request, params: Query[FunnelParams]) -> Any:
    """The period's leads followed to conversion, purchase and repeat purchase (overall and
    per source), the period's new customers per channel of their first purchase and how
    many bought again, and how many of the period's deals reached each pipeline stage."""
    require_perm(request.user, "sales.view_lead")
    period = PeriodParams(period=params.period, since=params.since, until=params.until).chosen()
    pipelines = Pipeline.objects.all()
    pipeline = (
        get_object_or_404(pipelines, pk=params.pipeline)
        if params.pipeline
        else pipelines.filter(is_default=True).first()
    )
    preset = None if params.since else params.period or DEFAULT_PERIOD
    found = funnel.report(request.user, period, pipeline, preset)
    return {
        "period": period_out(period),
        "as_of": found.as_of,
        "lifecycle": [step.__dict__ for step in found.lifecycle],
        "by_source": [row.__dict__ for row in found.sources],
        "by_channel": [{**row.__dict__, "repeat_rate": row.repeat_rate} for row in found.channels],
        "pipeline_id": pipeline.pk if pipeline else None,
        "pipeline": [
            {"stage_id": s.stage.pk, "name": s.stage.label, "reached": s.reached, "rate": s.rate}
            for s in found.stages
        ],
    }
