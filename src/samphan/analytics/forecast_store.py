"""Revenue forecasts made by the worker and read by requests.

A fit loads statsmodels, which is slow, and then takes a while (docs/performance.md): on
the request path it made each web process's first forecast panel wait, or time out.
So requests only read ``StoredForecast``; the fit runs in the worker, in a task
(``forecast_make``) or in its daily loop (``keep_daily``).

One forecast per visibility scope, as ``visible_to(user)`` sums revenue: everyone who
sees all records shares "all"; a user limited to their own and their team's records has
their own ("user-<id>": their own records outside the team count too).

- No forecast yet for a scope: the request queues a task to make it and says so (the
  panel polls, the API answers 202).
- One made before today: the request gets it (with the time it was made, shown on the
  panel) and queues a task to make today's.
- "Compute again" on the panel queues the task at once (``remake``).
- The worker's loop makes today's forecast for "all" and for every scope looked at in
  the last ``KEEP_FOR``, so the first look of the day finds it ready.
"""

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.forecast import (
    Backtest,
    Candidate,
    Forecast,
    MonthForecast,
    revenue_forecast,
)
from samphan.analytics.models import StoredForecast
from samphan.analytics.snapshots import all_records_user
from samphan.core.permissions import sees_all_records

ALL = "all"
QUEUED_GIVE_UP = dt.timedelta(minutes=10)  # a queued task not done by then: queue another
VIEWED_EVERY = dt.timedelta(hours=1)  # how often a look is written down
KEEP_FOR = dt.timedelta(days=14)  # after the last look, the worker still makes it daily
KEEP_DAILY_EVERY = 300.0  # seconds between the worker's checks for a new day


@dataclass(frozen=True)
class Stored:
    forecast: Forecast
    computed_at: dt.datetime
    made_on: dt.date


def scope_of(user: User) -> str:
    return ALL if sees_all_records(user) else f"user-{user.pk}"


def stored_forecast(user: User) -> Stored | None:
    """The latest forecast the user may see, None when none is made yet; queues the
    making of today's when it is missing or older than today. Never fits anything."""
    scope = scope_of(user)
    now, today = timezone.now(), timezone.localdate()
    row = StoredForecast.objects.filter(scope=scope).first()
    if row is None:
        row, _ = StoredForecast.objects.get_or_create(scope=scope, defaults={"viewed_at": now})
    elif row.viewed_at is None or now - row.viewed_at > VIEWED_EVERY:
        StoredForecast.objects.filter(pk=row.pk).update(viewed_at=now)
    if (row.made_on is None or row.made_on < today) and _queue(scope, now):
        row.refresh_from_db()  # made already where tasks run at once (tests, no worker)
    if row.data is None or row.computed_at is None or row.made_on is None:
        return None
    return Stored(from_data(row.data), row.computed_at, row.made_on)


def remake(user: User) -> None:
    """Queue the making of the user's forecast now, made today or not (the panel's
    "Compute again": after an import of past orders, say); once per ``QUEUED_GIVE_UP``."""
    scope = scope_of(user)
    StoredForecast.objects.get_or_create(scope=scope, defaults={"viewed_at": timezone.now()})
    _queue(scope, timezone.now())


def _queue(scope: str, now: dt.datetime) -> bool:
    """Queue the making of ``scope``'s forecast unless a task is on its way already."""
    claimed = (
        StoredForecast.objects.filter(scope=scope)
        .exclude(queued_at__gt=now - QUEUED_GIVE_UP)
        .update(queued_at=now)
    )
    if claimed:
        transaction.on_commit(lambda: _enqueue(scope), robust=True)
    return bool(claimed)


def _enqueue(scope: str) -> None:
    forecast_make.enqueue(scope)


def make(scope: str) -> bool:
    """Make and store today's forecast for ``scope`` (in the worker); False when the scope's
    user is gone or may no longer see orders (their row is then dropped)."""
    if scope == ALL:
        user = all_records_user()
    else:
        found = User.objects.filter(pk=int(scope.removeprefix("user-")), is_active=True).first()
        if found is None or sees_all_records(found) or not found.has_perm("sales.view_order"):
            StoredForecast.objects.filter(scope=scope).delete()
            return False
        user = found
    today = timezone.localdate()
    started = time.perf_counter()
    result = revenue_forecast(user, today)
    StoredForecast.objects.update_or_create(
        scope=scope,
        defaults={
            "data": to_data(result),
            "made_on": today,
            "computed_at": timezone.now(),
            "seconds": round(time.perf_counter() - started, 3),
            "queued_at": None,
        },
    )
    return True


@task()
def forecast_make(scope: str) -> bool:
    """Make today's revenue forecast for one visibility scope; queued by a request that
    found none, or one made before today. Safe to run twice."""
    return make(scope)


def keep_daily() -> int:
    """Make today's forecast for "all" and every scope looked at lately whose forecast is
    older (the worker calls this every ``KEEP_DAILY_EVERY`` seconds); how many it made."""
    now, today = timezone.now(), timezone.localdate()
    StoredForecast.objects.get_or_create(scope=ALL)
    due = StoredForecast.objects.filter(Q(scope=ALL) | Q(viewed_at__gte=now - KEEP_FOR)).exclude(
        made_on=today
    )
    made = 0
    for scope in due.order_by("scope").values_list("scope", flat=True):
        # Claimed as a queued task is, so that a task queued by a request meanwhile and this
        # loop do not both make it.
        claimed = (
            StoredForecast.objects.filter(scope=scope)
            .exclude(queued_at__gt=now - QUEUED_GIVE_UP)
            .update(queued_at=now)
        )
        if claimed:
            made += make(scope)
    return made


# -- JSON both ways: dates as ISO text, money as decimal text ---------------------------


def to_data(forecast: Forecast) -> dict[str, Any]:
    backtest = forecast.backtest
    return {
        "months": [
            {
                "month": month.month.isoformat(),
                "expected": str(month.expected),
                "low": str(month.low),
                "high": str(month.high),
            }
            for month in forecast.months
        ],
        "backtest": None
        if backtest is None
        else {
            "days": backtest.days,
            "model_mape": backtest.model_mape,
            "naive_mape": backtest.naive_mape,
            "chosen": backtest.chosen,
            "candidates": [candidate.__dict__ for candidate in backtest.candidates],
        },
        "history_days": forecast.history_days,
        "reason": forecast.reason,
        "yearly": forecast.yearly,
        "weekday_shares": list(forecast.weekday_shares),
        "model": forecast.model,
        "baseline": forecast.baseline,
    }


def from_data(data: dict[str, Any]) -> Forecast:
    backtest = data["backtest"]
    return Forecast(
        months=[
            MonthForecast(
                dt.date.fromisoformat(month["month"]),
                Decimal(month["expected"]),
                Decimal(month["low"]),
                Decimal(month["high"]),
            )
            for month in data["months"]
        ],
        backtest=None
        if backtest is None
        else Backtest(
            days=backtest["days"],
            model_mape=backtest["model_mape"],
            naive_mape=backtest["naive_mape"],
            chosen=backtest["chosen"],
            candidates=tuple(Candidate(**candidate) for candidate in backtest["candidates"]),
        ),
        history_days=data["history_days"],
        reason=data["reason"],
        yearly=data["yearly"],
        weekday_shares=tuple(data["weekday_shares"]),
        model=data["model"],
        baseline=data["baseline"],
    )
