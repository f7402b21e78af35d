import datetime as dt
import math
import random
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from samphan.analytics import forecast_store
from samphan.analytics.forecast import (
    _backtest,
    _spread,
    _weekday_shares,
    revenue_forecast,
    weighted_pipeline,
)
from samphan.analytics.models import DailySales
from samphan.sales import services
from samphan.sales.models import Stage
from samphan.sales.services.deals import default_pipeline
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def fill_days(days: int, today: dt.date, *, seed: int = 3) -> None:
    """Daily revenue with a weekly pattern (weekends double), a slow rise and noise."""
    rng = random.Random(seed)
    rows = []
    for n in range(days, 0, -1):
        day = today - dt.timedelta(days=n)
        base = 10_000 * (1 + 0.3 * (days - n) / days) * (2 if day.weekday() >= 5 else 1)
        rows.append(DailySales(day=day, channel="store",
                               revenue=Decimal(round(base * rng.uniform(0.9, 1.1), 2)),
                               profit=Decimal(0), order_count=10))  # fmt: skip
    DailySales.objects.bulk_create(rows)


def test_forecast_with_interval_and_backtest(admin_user):
    today = timezone.localdate()
    fill_days(500, today)
    forecast = revenue_forecast(admin_user, today)
    assert len(forecast.months) == 3 and forecast.reason == ""
    first = forecast.months[0]
    assert first.month == (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    for month in forecast.months:
        assert month.low <= month.expected <= month.high
        days = ((month.month + dt.timedelta(days=32)).replace(day=1) - month.month).days
        # Weekdays ~13,000 and weekends ~26,000 by now: a month is around 500,000.
        assert 300_000 < month.expected / days * 30 < 700_000
    backtest = forecast.backtest
    assert backtest is not None and backtest.days == 91  # 13 weeks
    assert math.isfinite(backtest.model_mape) and backtest.model_mape < 0.15
    assert backtest.naive_mape > 0


def test_yearly_season(admin_user):
    """Three years of a shop whose revenue doubles from November to January: the model
    learns the year (a damped trend alone forecasts about 300,000 a month)."""
    today = dt.date(2026, 10, 5)  # the next three months are the high season
    rows = []
    for n in range(3 * 365, 0, -1):
        day = today - dt.timedelta(days=n)
        season = 2 if day.month in (11, 12, 1) else 1
        rows.append(DailySales(day=day, channel="store", revenue=Decimal(10_000 * season),
                               profit=Decimal(0), order_count=10))  # fmt: skip
    DailySales.objects.bulk_create(rows)
    forecast = revenue_forecast(admin_user, today)
    assert forecast.yearly and forecast.backtest is not None
    assert forecast.backtest.model_mape < 0.05
    november, december, january = forecast.months  # double the usual 300,000 or so
    for month in (november, december, january):
        assert 500_000 < month.expected < 700_000


def test_weekday_pattern_splits_each_week():
    shares = _weekday_shares(np.array([1.0, 1, 1, 1, 1, 2, 2] * 12))
    assert shares.round(4).tolist() == [round(x / 9, 4) for x in (1, 1, 1, 1, 1, 2, 2)]
    days = _spread(np.array([[900.0], [1800.0]]), shares, 10)
    assert days[:, 0].tolist() == pytest.approx([100, 100, 100, 100, 100, 200, 200, 200, 200, 200])
    assert _weekday_shares(np.zeros(84)).tolist() == [1 / 7] * 7


def test_a_month_gets_its_own_weekdays(admin_user):
    """A market open on Sundays only: each month is its Sundays, four or five of them."""
    today = timezone.localdate()
    DailySales.objects.bulk_create(
        DailySales(
            day=day, channel="store", revenue=Decimal(70_000), profit=Decimal(0), order_count=10
        )
        for day in (today - dt.timedelta(days=n) for n in range(1, 300))
        if day.weekday() == 6
    )
    for month in revenue_forecast(admin_user, today).months:
        after = (month.month + dt.timedelta(days=32)).replace(day=1)
        days = (month.month + dt.timedelta(days=n) for n in range((after - month.month).days))
        sundays = sum(day.weekday() == 6 for day in days)
        assert float(month.expected) == pytest.approx(sundays * 70_000, rel=0.02)


def test_weekday_shares_by_calendar_day(admin_user):
    today = timezone.localdate()
    fill_days(300, today)
    shares = revenue_forecast(admin_user, today).weekday_shares
    assert len(shares) == 7 and math.isclose(sum(shares), 1, abs_tol=0.001)
    assert min(shares[5:]) > 1.6 * max(shares[:5])  # weekends double, Monday first


def test_too_little_history(admin_user):
    today = timezone.localdate()
    fill_days(60, today)
    forecast = revenue_forecast(admin_user, today)
    assert forecast.months == [] and forecast.reason == "too little history"
    assert revenue_forecast(admin_user, today - dt.timedelta(days=400)).history_days == 0


def test_weighted_pipeline(admin_user):
    customer = CustomerFactory()
    stages = {stage.position: stage for stage in default_pipeline().stages.all()}
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    for amount, position, close in ((1000, 0, next_month), (3000, 2, next_month), (500, 1, None)):
        services.deal_create(
            actor=admin_user,
            fields={"title": "x", "customer": customer, "amount": amount, "expected_close": close},
            stage=stages[position],
        )
    rows = weighted_pipeline(admin_user)
    assert [row.month for row in rows] == [next_month, None]
    first = rows[0]
    expected = Decimal(1000 * stages[0].probability + 3000 * stages[2].probability) / 100
    assert first.deals == 2 and first.amount == Decimal("4000.00")
    assert first.weighted == expected.quantize(Decimal("0.01"))
    assert all(stage.outcome == Stage.Outcome.OPEN for stage in (stages[0], stages[2]))


def made_by_worker() -> None:
    """What the worker's daily loop does: make today's forecast for everyone who sees
    all records (the panel and the API only read it)."""
    assert forecast_store.keep_daily() == 1


def test_panel_and_api(admin_user):
    today = timezone.localdate()
    fill_days(300, today)
    made_by_worker()
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert 'id="forecast-options"' in page and "MAPE" in page
    body = token_client(admin_user).get("/api/v1/analytics/forecast").json()
    assert len(body["months"]) == 3 and body["backtest"]["days"] == 91
    assert body["yearly"] is False and len(body["weekday_shares"]) == 7
    assert body["weighted_pipeline"] == []
    home = login(admin_user).get("/").content.decode()
    assert 'hx-get="/insights/forecast/"' in home


# -- The model is chosen by the backtest ---------------------------------------------------

WEEKS = np.arange(156.0)
YEAR_SHAPE = np.random.default_rng(5).uniform(0.5, 1.5, 52)  # an irregular year, repeated


@pytest.mark.parametrize(
    ("weeks", "winner"),
    [
        # Rises, then stays flat through the test weeks: a trend overshoots; last week again
        # is exact (simple smoothing ties at best, and the baseline wins a tie).
        (np.concatenate([np.linspace(10_000, 50_000, 47), np.full(13, 50_000.0)]), "naive"),
        # A straight line: only a trend follows it exactly (a damped one bends away).
        (10_000 + 500 * np.arange(60.0), "ets_trend"),
        # The same irregular year three times: last year's week is exact.
        (20_000 * np.tile(YEAR_SHAPE, 3), "seasonal_naive"),
        # A smooth year on a rising line: last year's week misses the growth, a model
        # without the season misses the year.
        (20_000 * (1 + 0.5 * np.sin(2 * np.pi * WEEKS / 52)) + 100 * WEEKS, "ets_damped_seasonal"),
    ],
    ids=["flat-after-rise", "line", "same-year", "season-and-trend"],
)
def test_the_backtest_picks_the_candidate_that_must_win(weeks, winner):
    backtest = _backtest(weeks)
    assert backtest is not None and backtest.chosen == winner
    assert (
        backtest.model_mape
        == backtest.candidates[0].mape
        == min(candidate.mape for candidate in backtest.candidates)
    )
    tested = {candidate.key for candidate in backtest.candidates}
    # The yearly candidates are tested only with the years they need before the test weeks.
    assert ("ets_damped_seasonal" in tested) == (len(weeks) - 13 >= 104)
    assert ("seasonal_naive" in tested) == (len(weeks) - 13 >= 52)
    assert {"naive", "ets_level", "ets_trend", "ets_damped"} <= tested


def test_the_demos_case_a_seasonal_model_that_loses_is_not_the_forecast():
    """Noisy weeks with no year in them: the yearly ETS model loses to last week again or
    to a model without the season, and is then never the forecast."""
    rng = np.random.default_rng(11)
    weeks = 40_000 * rng.uniform(0.7, 1.3, 140)
    backtest = _backtest(weeks)
    errors = {candidate.key: candidate.mape for candidate in backtest.candidates}
    assert errors["ets_damped_seasonal"] > min(errors["naive"], errors["ets_damped"])
    assert backtest.chosen != "ets_damped_seasonal"
    assert all(errors[backtest.chosen] <= error for error in errors.values())


def fill_weeks(weekly: np.ndarray, today: dt.date) -> None:
    """Each whole week up to yesterday at its weekly total, spread evenly over its days."""
    rows = []
    for back, total in enumerate(weekly[::-1]):
        for day_in_week in range(7):
            day = today - dt.timedelta(days=7 * back + day_in_week + 1)
            rows.append(DailySales(day=day, channel="store", revenue=Decimal(round(total / 7, 2)),
                                   profit=Decimal(0), order_count=1))  # fmt: skip
    DailySales.objects.bulk_create(rows)


def test_when_a_baseline_wins_it_is_the_forecast_and_the_page_says_so(admin_user):
    today = timezone.localdate()
    fill_weeks(np.concatenate([np.linspace(10_000, 49_000, 47), np.full(13, 49_000.0)]), today)
    forecast = revenue_forecast(admin_user, today)
    assert forecast.model == "naive" and forecast.baseline
    for month in forecast.months:  # 7,000 a day, as last week
        days = ((month.month + dt.timedelta(days=32)).replace(day=1) - month.month).days
        assert month.expected == pytest.approx(7_000 * days, rel=0.02)
    made_by_worker()
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert "better than a simple rule" in page and "<strong>Last week again</strong>" in page
    assert "(baseline)" in page and 'class="chosen"' in page
    body = token_client(admin_user).get("/api/v1/analytics/forecast").json()
    assert body["model"] == "naive" and body["baseline"] is True
    assert body["model_label"] == "เท่าสัปดาห์ที่แล้ว"  # the API speaks Thai by default
    assert body["backtest"]["chosen"] == "naive" and body["backtest"]["model_mape"] == 0.0
    assert body["backtest"]["candidates"][0]["key"] == "naive"


def test_a_model_that_wins_is_shown_with_the_baselines_errors(admin_user):
    today = timezone.localdate()
    fill_weeks(10_000 + 500 * np.arange(60.0), today)
    made_by_worker()
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert "Model chosen by a test on the last 91 days: <strong>ETS: trend</strong>" in page
    assert "Last week again" in page and "(baseline)" in page


def test_too_little_history_to_test_a_model_repeats_last_week(admin_user):
    """21 weeks: enough to forecast (120 days), too few to hold 13 out and test on them."""
    today = timezone.localdate()
    fill_weeks(np.full(21, 14_000.0), today)
    forecast = revenue_forecast(admin_user, today)
    assert forecast.backtest is None and forecast.model == "naive" and forecast.baseline
    assert forecast.months[0].expected == pytest.approx(
        2_000 * ((forecast.months[1].month - forecast.months[0].month).days), rel=0.01
    )
    made_by_worker()
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert "Too little history to test a model" in page
