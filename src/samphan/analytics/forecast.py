"""Sales forecasting (C22): the weighted pipeline by expected close month, and a revenue
forecast for the next three months with an 80% interval and a backtest.

The revenue model is an ETS (error, trend, seasonality) state-space model of weekly
revenue from the per-day roll-up (statsmodels' ``ETSModel``): additive errors, a damped
additive trend and, once there are two full years of weeks to learn it from, an additive
yearly season (52 weekly terms, initialised from the first two years, so the fit stays a
few milliseconds). Weeks, not days: B2B days carry spikes (one large order), and a daily
model let one spike on the last day lift the whole forecast; a week's total absorbs them.
The weekly season is the weekday pattern: each simulated week is spread over its days by
each weekday's share of the last twelve weeks, so a month that ends on a Saturday gets a
Saturday's share. The model is refitted on up to three years every time. Month totals and
their 80% interval come from 1,000 simulated futures (summed per month), not from sums of
per-period intervals, which are too wide.

The backtest fits the same model on the history up to 13 weeks ago, forecasts those 13
weeks and reports the mean absolute percentage error of the weekly totals, beside the
error of the seasonal naive forecast (each week as the same week a year before, or as the
last week seen when there is no year of history): a model worth showing beats it.
"""

import datetime as dt
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from samphan.analytics.models import DailySales
from samphan.analytics.rollups import local_date
from samphan.analytics.sql import zone
from samphan.core.permissions import sees_all_records
from samphan.sales.models import ZERO, Deal, Order

HORIZON_MONTHS = 3
HISTORY_DAYS = 3 * 52 * 7  # three years of whole weeks: two to learn a year, and the backtest's
YEAR_WEEKS = 52
WEEKDAY_WEEKS = 12  # the weeks the weekday pattern is read from
MIN_HISTORY_DAYS = 120  # less than this: no model, say so
BACKTEST_WEEKS = 13
SIMULATIONS = 1_000


@dataclass(frozen=True)
class MonthForecast:
    month: dt.date
    expected: Decimal
    low: Decimal  # 10th percentile
    high: Decimal  # 90th percentile


@dataclass(frozen=True)
class Backtest:
    days: int
    model_mape: float  # mean absolute percentage error of weekly totals, 0.12 = 12%
    naive_mape: float


@dataclass(frozen=True)
class Forecast:
    months: list[MonthForecast]
    backtest: Backtest | None
    history_days: int
    reason: str = ""  # why there is no forecast
    yearly: bool = False  # whether the model learnt a yearly season (two years of history)
    weekday_shares: tuple[float, ...] = ()  # each weekday's share of a week, Monday first


def daily_revenue(user: Any, until: dt.date, days: int) -> np.ndarray:
    """Revenue per local day for the ``days`` days ending ``until``, zeros included."""
    since = until - dt.timedelta(days=days - 1)
    if sees_all_records(user):
        rows = (
            DailySales.objects.filter(day__gte=since, day__lte=until)
            .values("day")
            .annotate(total=Sum("revenue"))
            .values_list("day", "total")
        )
        totals = dict(rows)
    else:
        totals = {}
        orders = Order.objects.visible_to(user).filter(
            status=Order.Status.PAID,
            ordered_at__gte=_midnight(since),
            ordered_at__lt=_midnight(until + dt.timedelta(days=1)),
        )
        for moment, revenue in orders.values_list("ordered_at", "revenue"):
            day = local_date(moment)
            totals[day] = totals.get(day, ZERO) + revenue
    return np.array(
        [float(totals.get(since + dt.timedelta(days=n), 0)) for n in range(days)], dtype=float
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone())


def _fit(weeks: np.ndarray) -> Any:
    # Imported here: statsmodels takes a second to load, and only forecasts need it.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if _yearly(weeks):
        model = ETSModel(
            weeks, error="add", trend="add", damped_trend=True, seasonal="add",
            seasonal_periods=YEAR_WEEKS, initialization_method="heuristic",
        )  # fmt: skip
    else:
        model = ETSModel(weeks, error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings():  # convergence chatter on short or flat series
        warnings.simplefilter("ignore")
        return model.fit(disp=False, maxiter=200)


def _yearly(weeks: np.ndarray) -> bool:
    return len(weeks) >= 2 * YEAR_WEEKS


def _weekday_shares(days: np.ndarray) -> np.ndarray:
    """Each position in a week's share of the week's revenue over the last weeks: the
    positions of the history's whole weeks (the last ends yesterday), so position ``n`` is
    the weekday of today + n. Even shares when nothing was sold."""
    recent = days[-WEEKDAY_WEEKS * 7 :]
    recent = recent[len(recent) % 7 :].reshape(-1, 7).sum(axis=0)
    total = recent.sum()
    return recent / total if total > 0 else np.full(7, 1 / 7)


def _spread(weeks: np.ndarray, shares: np.ndarray, days: int) -> np.ndarray:
    """Simulated weekly totals (weeks × paths) as the first ``days`` days (days × paths),
    each week split by the weekday shares."""
    daily = np.repeat(weeks, 7, axis=0) * np.tile(shares, len(weeks))[:, None]
    return np.clip(daily[:days], 0, None)


def _weekly(days: np.ndarray) -> np.ndarray:
    """Totals of whole weeks, the last ending with the last day (a partial first week is
    dropped)."""
    whole = len(days) // 7 * 7
    return days[len(days) - whole :].reshape(-1, 7).sum(axis=1)


def _first_days_after(today: dt.date) -> list[dt.date]:
    """The first day of each of the next HORIZON_MONTHS months, and of the one after."""
    firsts = []
    month = today.replace(day=1)
    for _ in range(HORIZON_MONTHS + 1):
        month = (month + dt.timedelta(days=32)).replace(day=1)
        firsts.append(month)
    return firsts


def revenue_forecast(user: Any, today: dt.date) -> Forecast:
    """The next three calendar months' revenue, from the history up to yesterday."""
    history = daily_revenue(user, today - dt.timedelta(days=1), HISTORY_DAYS)
    started = int(np.argmax(history > 0)) if history.any() else len(history)
    days = history[started:]
    if len(days) < MIN_HISTORY_DAYS:
        return Forecast([], None, len(days), reason="too little history")
    weeks = _weekly(days)
    fit = _fit(weeks)
    firsts = _first_days_after(today)
    horizon = (firsts[-1] - today).days  # days from today to the end of the last month
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = np.asarray(
            fit.simulate(
                nsimulations=horizon // 7 + 1,
                repetitions=SIMULATIONS,
                anchor="end",
                rng=np.random.default_rng(0),  # the same figures for the same history
            )
        ).reshape(-1, SIMULATIONS)
    shares = _weekday_shares(days)
    daily_paths = _spread(paths, shares, horizon)  # from today on
    months = []
    for start, end in zip(firsts[:-1], firsts[1:], strict=True):
        offset = (start - today).days
        totals = daily_paths[offset : offset + (end - start).days].sum(axis=0)
        low, expected, high = np.percentile(totals, [10, 50, 90])
        months.append(MonthForecast(start, _baht(expected), _baht(low), _baht(high)))
    by_weekday = [0.0] * 7
    for position, share in enumerate(shares):
        by_weekday[(today.weekday() + position) % 7] = round(float(share), 4)
    return Forecast(
        months,
        _backtest(weeks),
        len(days),
        yearly=_yearly(weeks),
        weekday_shares=tuple(by_weekday),
    )


def _backtest(weeks: np.ndarray) -> Backtest | None:
    if len(weeks) < MIN_HISTORY_DAYS // 7 + BACKTEST_WEEKS:
        return None
    train, test = weeks[:-BACKTEST_WEEKS], weeks[-BACKTEST_WEEKS:]
    fit = _fit(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = np.clip(np.asarray(fit.forecast(BACKTEST_WEEKS)), 0, None)
    if len(train) >= 52:
        naive = weeks[-BACKTEST_WEEKS - 52 : -52]  # the same weeks a year before
    else:  # under a year of history: the last week seen, repeated
        naive = np.full(BACKTEST_WEEKS, train[-1])
    return Backtest(
        days=BACKTEST_WEEKS * 7,
        model_mape=_mape(test, predicted),
        naive_mape=_mape(test, naive),
    )


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    present = actual > 0
    if not present.any():
        return 0.0
    return round(float(np.mean(np.abs(actual[present] - predicted[present]) / actual[present])), 4)


def _baht(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PipelineMonth:
    month: dt.date | None  # None: deals without an expected close date
    deals: int
    amount: Decimal
    weighted: Decimal  # amount × the stage's win probability


def weighted_pipeline(user: Any) -> list[PipelineMonth]:
    """Open deals by expected close month: amount and amount weighted by the stage's win
    probability. Overdue months (before this one) stay as they are: a rep should move
    those dates."""
    rows = (
        Deal.objects.visible_to(user)
        .filter(stage__outcome="open")
        .annotate(month=TruncMonth("expected_close"))
        .values("month")
        .annotate(
            deals=Count("id"),
            total=Sum("amount"),
            weighted=Sum(F("amount") * F("stage__probability") / 100),
        )
        .order_by(F("month").asc(nulls_last=True))
    )
    return [
        PipelineMonth(
            row["month"],
            row["deals"],
            Decimal(row["total"] or 0).quantize(Decimal("0.01")),
            Decimal(row["weighted"] or 0).quantize(Decimal("0.01")),
        )
        for row in rows
    ]


CACHE_SECONDS = 3_600


def cached_revenue_forecast(user: Any, today: dt.date) -> Forecast:
    """The forecast, computed at most once an hour per visibility scope (a fit and 1,000
    simulations take a second or two)."""
    scope = "all" if sees_all_records(user) else f"user-{user.pk}"
    key = f"samphan:forecast:{scope}:{today.isoformat()}"
    forecast = cache.get(key)
    if forecast is None:
        forecast = revenue_forecast(user, today)
        cache.set(key, forecast, CACHE_SECONDS)
    return forecast
