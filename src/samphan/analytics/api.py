"""/api/v1/analytics: top customers and their share, a customer's cadence, who is
expected today and who is overdue. Figures follow the caller's visibility."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.analytics import forecast, forecast_store, funnel, queries, rfm
from samphan.analytics.cadence import cadence_of
from samphan.analytics.figures import GroupQuestion, TopQuestion, figures
from samphan.analytics.models import CustomerActivity, CustomerRFM, RFMState
from samphan.api.schemas import ERRORS, Id, IsoDate
from samphan.core import periods
from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales.models import Pipeline

router = Router(tags=["analytics"])

PresetName = Literal[tuple(periods.PRESETS)]  # type: ignore[valid-type]


class PeriodParams(Schema):
    model_config = ConfigDict(extra="forbid")
    period: PresetName | None = Field(  # type: ignore[valid-type]
        None, description="a preset around today; leave out with since and until"
    )
    since: IsoDate | None = Field(None, description="first day (Asia/Bangkok), with until")
    until: IsoDate | None = Field(None, description="last day, included")
    by: Literal["revenue", "profit"] = "revenue"

    def chosen(self) -> periods.Period:
        if self.since is None and self.until is None:
            return periods.preset_period(self.period or "last_12_months", timezone.localdate())
        if self.period is not None:
            raise ValidationError({"period": _("Give a preset or since and until, not both.")})
        if self.since is None or self.until is None:
            missing = "since" if self.since is None else "until"
            raise ValidationError({missing: _("Give both since and until.")})
        errors = periods.period_errors(self.since, self.until)
        if errors:
            raise ValidationError(errors)
        return periods.Period(self.since, self.until)


class TopParams(PeriodParams):
    limit: int = Field(10, ge=1, le=100)


class PeriodOut(Schema):
    since: dt.date
    until: dt.date


class TopRowOut(Schema):
    rank: int
    customer_id: int
    name: str
    revenue: Decimal
    profit: Decimal
    orders: int
    share: float = Field(description="of the period's total of the measure, 0 to 1")
    cumulative_share: float


class TopOut(Schema):
    period: PeriodOut
    by: str
    items: list[TopRowOut]


class ShareOut(Schema):
    period: PeriodOut
    by: str
    customers: int = Field(description="with a paid order in the period")
    revenue: Decimal
    profit: Decimal
    concentration: dict[str, float] = Field(
        description='percent of customers ("1", "5", "10", "20", "50", "80", "100") → the '
        "share of the measure the top ⌈percent × customers / 100⌉ customers bring"
    )
    concentration_customers: dict[str, int] = Field(
        description="percent of customers → how many customers that top is, ⌈percent × "
        "customers / 100⌉ (at least one)"
    )
    gini: float | None = Field(
        description="Gini index of the measure over the customers who bought: 0 when each "
        "brings the same, (customers − 1) / customers when one brings everything; null "
        "without a positive total"
    )
    pareto: list[tuple[float, float]] = Field(
        description="(percent of customers best first, cumulative share) at the first rank "
        "reaching each whole percent, from (0, 0); up to 101 points"
    )


def _period_out(period: periods.Period) -> dict[str, Any]:
    return {"since": period.since, "until": period.until}


@router.get("/analytics/top-customers", response={200: TopOut, **ERRORS})
def top_customers(request: HttpRequest, params: Query[TopParams]) -> Any:
    """The customers with the most revenue (or profit) in a period, with their shares."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    question = TopQuestion(period, by=params.by, limit=params.limit)
    items = [row.__dict__ for row in figures(request.user, question).rows]
    return {"period": _period_out(period), "by": params.by, "items": items}


@router.get("/analytics/share", response={200: ShareOut, **ERRORS})
def share(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    """Totals, concentration (top 1%, 10%, 20%) and the Pareto curve for a period."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    result = figures(request.user, TopQuestion(period, by=params.by, limit=0)).share
    return {
        "period": _period_out(period),
        "by": params.by,
        "customers": result.customers,
        "revenue": result.revenue,
        "profit": result.profit,
        "concentration": {str(key): value for key, value in result.concentration.items()},
        "concentration_customers": {
            str(key): value for key, value in result.concentration_customers.items()
        },
        "gini": result.gini,
        "pareto": result.pareto,
    }


class CadenceOut(Schema):
    customer_id: int
    days: int = Field(description="local days with a visit or a paid order")
    visits: int
    first_day: dt.date | None
    last_day: dt.date | None
    per_month: float | None
    mean_interval: float | None = Field(description="days")
    interval_spread: float | None = Field(description="standard deviation, days")
    usual_weekdays: list[int] = Field(description="Monday = 0; empty: no regular day")
    weekday_p: float | None = Field(description="chi-square test of an even week")
    usual_hour: int | None
    next_expected: dt.date | None
    days_since_last: int | None
    overdue: bool
    weekdays: list[int] = Field(description="days came by weekday, Monday first")
    hours: list[int] = Field(description="days came by hour of their first event")


@router.get("/analytics/customers/{customer_id}/cadence", response={200: CadenceOut, **ERRORS})
def customer_cadence(request: HttpRequest, customer_id: Id) -> Any:
    """When a customer comes: frequency, usual weekday and hour, next expected, overdue."""
    require_perm(request.user, "customers.view_customer")
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
    activity = CustomerActivity.objects.filter(customer=customer).first()
    cadence = cadence_of(activity, timezone.localdate())
    return {**cadence.__dict__, "customer_id": customer.pk}


class RegularOut(Schema):
    customer_id: int
    name: str
    days: int
    last_day: dt.date
    since_last: int
    mean_interval: float | None
    likelihood: float | None = Field(None, description="share of days on today's weekday")


class RegularsOut(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[RegularOut]


class PageParams(Schema):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


def _regulars(rows: Any, params: PageParams) -> dict[str, Any]:
    paginator = CappedPaginator(rows, params.page_size)
    start = (params.page - 1) * params.page_size
    today = timezone.localdate()
    items = []
    for row in rows[start : start + params.page_size]:
        cadence = cadence_of(row, today)
        items.append(
            {
                "customer_id": row.customer_id,
                "name": row.customer.display_name,
                "days": row.days,
                "last_day": row.last_day,
                "since_last": cadence.days_since_last,
                "mean_interval": cadence.mean_interval,
                "likelihood": getattr(row, "likelihood", None),
            }
        )
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": params.page,
        "page_size": params.page_size,
        "items": items,
    }


@router.get("/analytics/expected-today", response={200: RegularsOut, **ERRORS})
def expected_today(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Regulars whose usual weekday is today and who are due, most likely first."""
    require_perm(request.user, "customers.view_customer")
    return _regulars(queries.expected_today(request.user, timezone.localdate()), params)


@router.get("/analytics/overdue", response={200: RegularsOut, **ERRORS})
def overdue(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Regulars gone well beyond their usual interval (churn risk), most valuable first."""
    require_perm(request.user, "customers.view_customer")
    return _regulars(queries.overdue_regulars(request.user, timezone.localdate()), params)


class SegmentOut(Schema):
    segment: str
    label: str
    customers: int
    revenue: Decimal = Field(description="their lifetime revenue")
    share_of_customers: float
    share_of_revenue: float


class SegmentsOut(Schema):
    computed_at: dt.datetime | None
    segments: list[SegmentOut]


@router.get("/analytics/rfm", response={200: SegmentsOut, **ERRORS})
def rfm_segments(request: HttpRequest) -> Any:
    """Customers and revenue per RFM segment (the customers the caller may see)."""
    require_perm(request.user, "sales.view_order")
    rfm.rfm_refresh_if_stale()
    state = RFMState.objects.filter(pk=1).first()
    return {
        "computed_at": state.computed_at if state else None,
        "segments": [row.__dict__ for row in rfm.segment_summary(request.user)],
    }


class CustomerRFMOut(Schema):
    customer_id: int
    recency: int = Field(ge=1, le=5)
    frequency: int = Field(ge=1, le=5)
    monetary: int = Field(ge=1, le=5)
    segment: str
    label: str


@router.get("/analytics/customers/{customer_id}/rfm", response={200: CustomerRFMOut, **ERRORS})
def customer_rfm(request: HttpRequest, customer_id: Id) -> Any:
    """A customer's RFM scores and segment; 404 until they have bought and been scored."""
    require_perm(request.user, "sales.view_order")
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
    scores = get_object_or_404(CustomerRFM, customer=customer)
    return {
        "customer_id": customer.pk,
        "recency": scores.recency,
        "frequency": scores.frequency,
        "monetary": scores.monetary,
        "segment": scores.segment,
        "label": scores.get_segment_display(),
    }


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
    period: PresetName | None = None  # type: ignore[valid-type]
    since: IsoDate | None = None
    until: IsoDate | None = None
    pipeline: Id | None = Field(None, description="default: the default pipeline")


class FunnelOut(Schema):
    period: PeriodOut
    lifecycle: list[StepOut]
    by_source: list[SourceOut]
    by_channel: list[ChannelOut] = Field(description="empty without permission to see orders")
    pipeline_id: int | None
    pipeline: list[StageStepOut]


@router.get("/analytics/funnel", response={200: FunnelOut, **ERRORS})
def funnel_report(request: HttpRequest, params: Query[FunnelParams]) -> Any:
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
    stages = funnel.pipeline_funnel(request.user, pipeline, period) if pipeline else []
    return {
        "period": _period_out(period),
        "lifecycle": [step.__dict__ for step in funnel.lifecycle(request.user, period)],
        "by_source": [row.__dict__ for row in funnel.by_source(request.user, period)],
        "by_channel": [
            {**row.__dict__, "repeat_rate": row.repeat_rate}
            for row in funnel.by_channel(request.user, period)
        ]
        if request.user.has_perm("sales.view_order")
        else [],
        "pipeline_id": pipeline.pk if pipeline else None,
        "pipeline": [
            {"stage_id": s.stage.pk, "name": s.stage.label, "reached": s.reached, "rate": s.rate}
            for s in stages
        ],
    }


class MonthForecastOut(Schema):
    month: dt.date
    expected: Decimal
    low: Decimal = Field(description="10th percentile")
    high: Decimal = Field(description="90th percentile")


class CandidateOut(Schema):
    key: str = Field(
        description="naive (last week again), seasonal_naive (the same week a year before), "
        "ets_level, ets_trend, ets_damped, ets_seasonal, ets_damped_seasonal"
    )
    label: str
    mape: float = Field(description="mean absolute percentage error on the test weeks")
    baseline: bool


class BacktestOut(Schema):
    days: int
    model_mape: float = Field(description="the chosen model's error")
    naive_mape: float = Field(
        description="the same week a year before (last week again without a year of history)"
    )
    chosen: str = Field(description="the key of the model with the lowest error")
    candidates: list[CandidateOut] = Field(description="every model tested, best first")


class PipelineMonthOut(Schema):
    month: dt.date | None
    deals: int
    amount: Decimal
    weighted: Decimal


class ForecastOut(Schema):
    months: list[MonthForecastOut]
    backtest: BacktestOut | None
    history_days: int
    reason: str
    model: str = Field(description="the key of the model that made the forecast")
    model_label: str
    baseline: bool = Field(description="the forecast is a baseline: no model beat it")
    yearly: bool = Field(
        description="Whether the forecast follows the year (a yearly season or last year's week)"
    )
    weekday_shares: list[float] = Field(
        description="Each weekday's share of a week's revenue (last 12 weeks), Monday first"
    )
    weighted_pipeline: list[PipelineMonthOut]
    computed_at: dt.datetime = Field(description="when the worker made the forecast")
    made_on: dt.date = Field(description="the day it forecasts from (history up to the day before)")


class ForecastPendingOut(Schema):
    status: Literal["computing"]
    detail: str
    retry_after: int = Field(description="seconds to wait before asking again")


RETRY_AFTER = 5


@router.get("/analytics/forecast", response={200: ForecastOut, 202: ForecastPendingOut, **ERRORS})
def revenue_forecast(request: HttpRequest) -> Any:
    """Revenue for the next three months with an 80% interval, the backtest's error beside
    a seasonal naive forecast, and open deals weighted by win probability per month.

    The worker makes the forecast (daily, and when first asked for): until the first one
    for the caller's records is made, the answer is 202 with ``status: computing``; ask
    again after ``retry_after`` seconds. A forecast made before today is returned (see
    ``made_on``) while today's is made."""
    require_perm(request.user, "sales.view_order")
    stored = forecast_store.stored_forecast(request.user)
    if stored is None:
        return Status(
            202,
            {
                "status": "computing",
                "detail": _("The forecast is being computed; ask again in a few seconds."),
                "retry_after": RETRY_AFTER,
            },
        )
    result = stored.forecast
    return {
        "computed_at": stored.computed_at,
        "made_on": stored.made_on,
        "months": [month.__dict__ for month in result.months],
        "backtest": _backtest_out(result.backtest),
        "history_days": result.history_days,
        "reason": result.reason,
        "model": result.model,
        "model_label": str(forecast.CANDIDATES[result.model].label) if result.model else "",
        "baseline": result.baseline,
        "yearly": result.yearly,
        "weekday_shares": list(result.weekday_shares),
        "weighted_pipeline": [row.__dict__ for row in forecast.weighted_pipeline(request.user)],
    }


def _backtest_out(backtest: forecast.Backtest | None) -> dict[str, Any] | None:
    if backtest is None:
        return None
    candidates = [
        {**candidate.__dict__, "label": str(forecast.CANDIDATES[candidate.key].label)}
        for candidate in backtest.candidates
    ]
    return {**backtest.__dict__, "candidates": candidates}


class GroupParams(PeriodParams):
    group: Literal["tier", "tag", "segment", "industry", "province", "channel"]


class GroupRowOut(Schema):
    value: str
    label: str
    customers: int
    orders: int
    revenue: Decimal
    profit: Decimal
    share: float


class GroupsOut(Schema):
    period: PeriodOut
    group: str
    by: str
    items: list[GroupRowOut]


@router.get("/analytics/top-groups", response={200: GroupsOut, **ERRORS})
def top_groups(request: HttpRequest, params: Query[GroupParams]) -> Any:
    """Revenue and profit per customer group (tier, tag, RFM segment, industry, province)
    or sales channel for a period, largest first; a customer with two tags counts in both."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    rows = figures(request.user, GroupQuestion(period, params.group, by=params.by)).rows
    return {
        "period": _period_out(period),
        "group": params.group,
        "by": params.by,
        "items": [row.__dict__ for row in rows],
    }
