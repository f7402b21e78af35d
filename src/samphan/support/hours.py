"""Business hours on Thai time: when a service promise falls due, counted only in the hours
a team works.

A team's week (the hours it opens each weekday, Asia/Bangkok) less its closed days (Thai
public holidays from the ``holidays`` package, and the business's own) is the only clock an
SLA runs on: a ticket that arrives on Friday at 16:00 with eight working hours to answer
is due on Monday at 16:00 (for a team open 09:00-17:00), or later if Monday is Songkran.
"""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

BANGKOK = ZoneInfo("Asia/Bangkok")
# A search for the next open minute gives up after this many days: a week with no open day,
# or closed days covering years, is a schedule that can never be met.
HORIZON_DAYS = 3 * 366


class NeverOpenError(ValueError):
    """The schedule has no working minute within the horizon."""


@dataclass(frozen=True)
class Week:
    """Opening and closing time for each weekday (Monday 0 … Sunday 6); a missing day is
    closed. ``is_closed`` says which dates are closed whatever the weekday."""

    days: dict[int, tuple[dt.time, dt.time]]
    is_closed: Callable[[dt.date], bool]

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working hours as aware datetimes, or None if it is closed."""
        hours = self.days.get(day.weekday())
        if hours is None or self.is_closed(day):
            return None
        opens, closes = hours
        return (
            dt.datetime.combine(day, opens, BANGKOK),
            dt.datetime.combine(day, closes, BANGKOK),
        )


def add_working_minutes(start: dt.datetime, minutes: int, week: Week) -> dt.datetime:
    """The moment ``minutes`` working minutes after ``start`` (an aware datetime). Zero
    minutes from outside hours is the next opening."""
    local = start.astimezone(BANGKOK)
    left = dt.timedelta(minutes=minutes)
    day = local.date()
    for _ in range(HORIZON_DAYS):
        window = week.window(day)
        if window is not None:
            begin = max(local, window[0])
            if begin <= window[1] and (left > dt.timedelta(0) or begin < window[1]):
                available = window[1] - begin
                if left <= available:
                    return begin + left
                left -= available
        day += dt.timedelta(days=1)
    raise NeverOpenError(start)


def working_minutes_between(start: dt.datetime, end: dt.datetime, week: Week) -> int:
    """Working minutes from ``start`` to ``end`` (0 if ``end`` is not later), rounded down."""
    if end <= start:
        return 0
    first, last = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    total = dt.timedelta(0)
    day = first.date()
    while day <= last.date():
        window = week.window(day)
        if window is not None:
            begin, finish = max(first, window[0]), min(last, window[1])
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)


@functools.lru_cache(maxsize=16)
def thai_public_holidays(year: int) -> frozenset[dt.date]:
    """Thailand's public holidays of ``year``, substitution days included."""
    return frozenset(holidays.country_holidays("TH", years=year))
