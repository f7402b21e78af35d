"""/api/v1/analytics/forecast: the revenue forecast the worker made."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import Field

from samphan.analytics import forecast, forecast_store
from samphan.analytics.api.common import router
from samphan.api.schemas import ERRORS
from samphan.core.http import Request
from samphan.core.permissions import require_perm


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
def revenue_forecast(request: Request) -> Any:
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
