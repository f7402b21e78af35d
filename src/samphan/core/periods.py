"""Reporting periods: whole days in the business's time zone (Asia/Bangkok), stored UTC.

A period runs from midnight at the start of ``since`` to midnight after ``until``, local
time, so an interaction at 23:30 Bangkok on the last day (16:30 UTC) counts.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samphan.core import dates

PRESETS: dict[str, Promise] = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "this_year": _("This year"),
    "last_30": _("Last 30 days"),
    "last_90": _("Last 90 days"),
    "last_12_months": _("Last 12 months"),
    "all_time": _("All time"),
}
CUSTOM = "custom"
# Dates a report accepts: wide enough for any history, far from datetime's limits.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date  # inclusive

    @property
    def from_the_start(self) -> bool:
        """All history (the "all time" preset): shown as such, not as 1 January 1900."""
        return self.since <= FIRST_DAY

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.since)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return _local_midnight(self.until + dt.timedelta(days=1))


def period_errors(since: dt.date, until: dt.date) -> dict[str, str]:
    """What is wrong with custom dates, by field (``since``, ``until``); empty when fine."""
    errors = {}
    for name, day in (("since", since), ("until", until)):
        if not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = dates.year_range_hint()
    if not errors and until < since:
        errors["until"] = str(_("The last day is before the first."))
    return errors


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def preset_period(name: str, today: dt.date) -> Period:
    """One of ``PRESETS`` around ``today`` (a local date); unknown names mean this month."""
    month_start = today.replace(day=1)
    if name == "last_month":
        last_month_end = month_start - dt.timedelta(days=1)
        return Period(last_month_end.replace(day=1), last_month_end)
    if name == "this_quarter":
        quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return Period(quarter_start, _month_end(quarter_start, months=3))
    if name == "this_year":
        return Period(today.replace(month=1, day=1), today.replace(month=12, day=31))
    if name == "last_12_months":
        return Period(_year_before(today) + dt.timedelta(days=1), today)
    if name == "all_time":
        return Period(FIRST_DAY, today)
    if name in ("last_30", "last_90"):
        return Period(today - dt.timedelta(days=int(name[5:]) - 1), today)
    return Period(month_start, _month_end(month_start, months=1))


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_end(first_day: dt.date, *, months: int) -> dt.date:
    """The last day of the ``months``-long span that starts on ``first_day``."""
    month_index = first_day.month - 1 + months
    after = dt.date(first_day.year + month_index // 12, month_index % 12 + 1, 1)
    return after - dt.timedelta(days=1)
