"""How long something has lasted, in the reader's language: "1 สัปดาห์ 2 วัน" in Thai,
"1 week, 2 days" in English.

Django's ``timesince`` has no Thai translation, so a Thai page showed English. Like it,
the two largest adjacent units are shown ("3 วัน 4 ชั่วโมง", never "1 เดือน 4 ชั่วโมง");
a month is 30 days and a year 365, close enough for "how long in this stage".
"""

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext, npgettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
UNITS = (365 * DAY, 30 * DAY, 7 * DAY, DAY, HOUR, MINUTE)


def _unit(seconds: int, count: int) -> str:
    names = {
        365 * DAY: npgettext("duration", "%(count)d year", "%(count)d years", count),
        30 * DAY: npgettext("duration", "%(count)d month", "%(count)d months", count),
        7 * DAY: npgettext("duration", "%(count)d week", "%(count)d weeks", count),
        DAY: npgettext("duration", "%(count)d day", "%(count)d days", count),
        HOUR: npgettext("duration", "%(count)d hour", "%(count)d hours", count),
        MINUTE: npgettext("duration", "%(count)d minute", "%(count)d minutes", count),
    }
    return names[seconds] % {"count": count}


def format_duration(value: dt.timedelta) -> str:
    """``1 สัปดาห์ 2 วัน`` / ``1 week, 2 days``; under a minute (or negative) reads so."""
    seconds = int(value.total_seconds())
    if seconds < MINUTE:
        return gettext("less than a minute")
    first = next(index for index, unit in enumerate(UNITS) if seconds >= unit)
    parts = [_unit(UNITS[first], seconds // UNITS[first])]
    if first + 1 < len(UNITS):
        rest = seconds % UNITS[first] // UNITS[first + 1]
        if rest:
            parts.append(_unit(UNITS[first + 1], rest))
    # Thai separates phrases with a space, not a comma.
    separator = " " if translation.get_language() == "th" else ", "
    return separator.join(parts)


def format_since(value: dt.datetime | None, *, now: dt.datetime | None = None) -> str:
    """How long ago ``value`` was, as ``format_duration`` says it; empty for no time."""
    if value is None:
        return ""
    return format_duration((now or timezone.now()) - value)


def format_working_minutes(minutes: int) -> str:
    """Working minutes as hours and minutes ("27 ชั่วโมง 30 นาที", "45 minutes"), never as
    days: a working day is as long as the schedule says, so 540 minutes is no "day"."""
    hours, rest = divmod(minutes, 60)
    parts = [_unit(HOUR, hours)] if hours else []
    if rest or not hours:
        parts.append(_unit(MINUTE, rest))
    separator = " " if translation.get_language() == "th" else ", "
    return separator.join(parts)
