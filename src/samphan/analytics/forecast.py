"""Sales forecasting (C22): the weighted pipeline by expected close month, and a revenue
forecast for the next three months with an 80% interval, made by whichever model forecast
the last 13 weeks best.

Weekly revenue from the per-day roll-up. Weeks, not days: B2B days carry spikes (one large
order), and a daily model let one spike on the last day lift the whole forecast; a week's
total absorbs them. The candidates (``CANDIDATES``) are ETS (error, trend, seasonality)
state-space models (statsmodels' ``ETSModel``, additive errors): level only, a trend, a
damped trend, and with two full years of weeks to learn it from, an additive yearly season
(52 weekly terms, initialised from the first two years) with a damped trend or with none;
beside two baselines, "last week again" and "the same week a year before".

Each candidate is fitted on the history up to 13 weeks ago and forecasts those 13 weeks;
the one with the lowest mean absolute percentage error of the weekly totals is the
forecast, refitted on the whole history. A baseline wins ties, and when a baseline wins it
is the forecast (said so on the page): a model that loses to one is never shown as the
forecast. Without enough history for the test (30 weeks), the forecast is last week again.

The weekly season is the weekday pattern: each simulated week is spread over its days by
each weekday's share of the last twelve weeks, so a month that ends on a Saturday gets a
Saturday's share. Month totals and their 80% interval come from 1,000 simulated futures
(summed per month), not from sums of per-period intervals, which are too wide: an ETS
model simulates its own; a baseline's futures add its own past errors drawn at random
(week-to-week changes for last week again, year-on-year changes for the same week).
"""

import datetime as dt
import itertools
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy

from samphan.accounts.models import User
from samphan.analytics.models import DailySales
from samphan.analytics.rollups import local_date
from samphan.core.permissions import sees_all_records
from samphan.core.sql import zone
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
class Candidate:
    key: str  # one of CANDIDATES (its label: ``CANDIDATES[key].label``, in the reader's language)
    mape: float  # on the backtest's weeks
    baseline: bool


@dataclass(frozen=True)
class Backtest:
    days: int
    model_mape: float  # the chosen one's mean absolute percentage error of weekly totals
    naive_mape: float  # the same week a year before (last week again without a year)
    chosen: str = ""  # the key of the candidate that forecast the test weeks best
    candidates: tuple[Candidate, ...] = ()  # every one tested, best first


@dataclass(frozen=True)
class Forecast:
    months: list[MonthForecast]
    backtest: Backtest | None
    history_days: int
    reason: str = ""  # why there is no forecast
    yearly: bool = False  # whether the forecast follows the year (a season or last year's week)
    weekday_shares: tuple[float, ...] = ()  # each weekday's share of a week, Monday first
    model: str = ""  # the key of the candidate that made it
    baseline: bool = False  # the model is a baseline: no model beat it


@dataclass(frozen=True)
class Spec:
    label: Any  # lazily translated
    baseline: bool = False
    yearly: bool = False  # needs two years of weeks to fit (one for the same-week baseline)
    ets: dict[str, Any] | None = None  # ETSModel's arguments beyond the errors


# The baselines first: on equal errors a baseline wins (the same week a year before first:
# it holds the year's turns that a flat stretch of test weeks cannot show).
CANDIDATES: dict[str, Spec] = {
    "seasonal_naive": Spec(gettext_lazy("Same week last year"), baseline=True, yearly=True),
    "naive": Spec(gettext_lazy("Last week again"), baseline=True),
    "ets_level": Spec(gettext_lazy("ETS: level only"), ets={}),
    "ets_trend": Spec(gettext_lazy("ETS: trend"), ets={"trend": "add"}),
    "ets_damped": Spec(
        gettext_lazy("ETS: damped trend"), ets={"trend": "add", "damped_trend": True}
    ),
    "ets_seasonal": Spec(
        gettext_lazy("ETS: yearly season"),
        yearly=True,
        ets={"seasonal": "add", "seasonal_periods": YEAR_WEEKS},
    ),
    "ets_damped_seasonal": Spec(
        gettext_lazy("ETS: damped trend and yearly season"),
        yearly=True,
        ets={
            "trend": "add",
            "damped_trend": True,
            "seasonal": "add",
            "seasonal_periods": YEAR_WEEKS,
        },
    ),
}


def daily_revenue(user: User, until: dt.date, days: int) -> np.ndarray:
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


def _fit(weeks: np.ndarray, key: str) -> Any:
    """An ETS candidate fitted to the weekly totals."""
    # Imported here: statsmodels takes a second to load, and only forecasts need it.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    arguments = dict(CANDIDATES[key].ets or {})
    if "seasonal" in arguments:
        arguments["initialization_method"] = "heuristic"  # a few ms, not a 52-term search
    model = ETSModel(weeks, error="add", **arguments)
    with warnings.catch_warnings():  # convergence chatter on short or flat series
        warnings.simplefilter("ignore")
        return model.fit(disp=False, maxiter=200)


def _fits(key: str, weeks: np.ndarray) -> bool:
    """Whether the candidate can be fitted on these weeks."""
    if CANDIDATES[key].yearly:
        needed = YEAR_WEEKS if CANDIDATES[key].baseline else 2 * YEAR_WEEKS
        return len(weeks) >= needed
    return len(weeks) >= 2


def _point_forecast(weeks: np.ndarray, key: str, steps: int) -> np.ndarray:
    """The candidate's forecast of the next ``steps`` weeks (never below zero)."""
    if key == "naive":
        predicted = np.full(steps, weeks[-1])
    elif key == "seasonal_naive":
        predicted = _same_week_a_year_before(weeks, steps)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = np.asarray(_fit(weeks, key).forecast(steps))
    return np.asarray(np.clip(predicted, 0, None))


def _centred(changes: np.ndarray) -> np.ndarray:
    return changes - changes.mean() if len(changes) else np.zeros(1)


def _same_week_a_year_before(weeks: np.ndarray, steps: int) -> np.ndarray:
    last_year = weeks[-YEAR_WEEKS:]
    return np.array([last_year[step % YEAR_WEEKS] for step in range(steps)], dtype=float)


def _simulate(weeks: np.ndarray, key: str, steps: int) -> np.ndarray:
    """1,000 simulated futures of the next ``steps`` weeks (steps × paths), the same for
    the same history."""
    rng = np.random.default_rng(0)
    # A baseline's past errors, centred: its futures are spread around the very forecast the
    # backtest scored (uncentred, a year of growth would add a drift it never had).
    if key == "naive":  # a random walk: last week plus past week-to-week changes
        changes = _centred(np.diff(weeks[-YEAR_WEEKS - 1 :]))
        return np.asarray(
            weeks[-1] + np.cumsum(rng.choice(changes, size=(steps, SIMULATIONS)), axis=0)
        )
    if key == "seasonal_naive":  # last year's week plus a past year-on-year change
        changes = _centred((weeks[YEAR_WEEKS:] - weeks[:-YEAR_WEEKS])[-YEAR_WEEKS:])
        base = _same_week_a_year_before(weeks, steps)[:, None]
        return np.asarray(base + rng.choice(changes, size=(steps, SIMULATIONS)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = _fit(weeks, key).simulate(
            nsimulations=steps, repetitions=SIMULATIONS, anchor="end", rng=rng
        )
    return np.asarray(paths).reshape(-1, SIMULATIONS)


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
    return np.asarray(np.clip(daily[:days], 0, None))


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


def revenue_forecast(user: User, today: dt.date) -> Forecast:
    """The next three calendar months' revenue, from the history up to yesterday."""
    history = daily_revenue(user, today - dt.timedelta(days=1), HISTORY_DAYS)
    started = int(np.argmax(history > 0)) if history.any() else len(history)
    days = history[started:]
    if len(days) < MIN_HISTORY_DAYS:
        return Forecast([], None, len(days), reason="too little history")
    weeks = _weekly(days)
    backtest = _backtest(weeks)
    model = backtest.chosen if backtest else "naive"
    firsts = _first_days_after(today)
    horizon = (firsts[-1] - today).days  # days from today to the end of the last month
    paths = _simulate(weeks, model, horizon // 7 + 1)
    shares = _weekday_shares(days)
    daily_paths = _spread(paths, shares, horizon)  # from today on
    months = []
    for start, end in itertools.pairwise(firsts):
        offset = (start - today).days
        totals = daily_paths[offset : offset + (end - start).days].sum(axis=0)
        low, expected, high = np.percentile(totals, [10, 50, 90])
        months.append(MonthForecast(start, _baht(expected), _baht(low), _baht(high)))
    by_weekday = [0.0] * 7
    for position, share in enumerate(shares):
        by_weekday[(today.weekday() + position) % 7] = round(float(share), 4)
    return Forecast(
        months,
        backtest,
        len(days),
        yearly=CANDIDATES[model].yearly,
        weekday_shares=tuple(by_weekday),
        model=model,
        baseline=CANDIDATES[model].baseline,
    )


def _backtest(weeks: np.ndarray) -> Backtest | None:
    """Every candidate that fits the history up to 13 weeks ago, scored on those weeks;
    the best first (a baseline first on equal errors)."""
    if len(weeks) < MIN_HISTORY_DAYS // 7 + BACKTEST_WEEKS:
        return None
    train, test = weeks[:-BACKTEST_WEEKS], weeks[-BACKTEST_WEEKS:]
    scored = [
        Candidate(
            key=key,
            mape=_mape(test, _point_forecast(train, key, BACKTEST_WEEKS)),
            baseline=spec.baseline,
        )
        for key, spec in CANDIDATES.items()
        if _fits(key, train)
    ]
    ranked = tuple(sorted(scored, key=lambda candidate: candidate.mape))  # stable: ties keep order
    errors = {candidate.key: candidate.mape for candidate in scored}
    return Backtest(
        days=BACKTEST_WEEKS * 7,
        model_mape=ranked[0].mape,
        naive_mape=errors.get("seasonal_naive", errors["naive"]),
        chosen=ranked[0].key,
        candidates=ranked,
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


def weighted_pipeline(user: User) -> list[PipelineMonth]:
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
