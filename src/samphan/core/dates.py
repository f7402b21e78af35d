"""Dates as Thai readers expect them: Buddhist era (พ.ศ. = ค.ศ. + 543) on request."""

import datetime as dt
import re
from contextvars import ContextVar

from django.utils import timezone, translation
from django.utils.translation import gettext as _

# Set per request from the user's preference (accounts middleware); Thai readers
# expect the Buddhist era, so it is the default.
buddhist_era_preference: ContextVar[bool] = ContextVar("buddhist_era_preference", default=True)

BUDDHIST_ERA_OFFSET = 543
THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
ENGLISH_MONTHS_ABBR = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def shown_year(value: dt.date, buddhist_era: bool | None = None) -> int:
    """The year as the reader counts it: B.E. by their preference unless told."""
    if buddhist_era is None:
        buddhist_era = buddhist_era_preference.get()
    return value.year + BUDDHIST_ERA_OFFSET if buddhist_era else value.year


def format_date(value: dt.date | dt.datetime | None, *, buddhist_era: bool | None = None) -> str:
    """``22 พ.ย. 2569`` (Thai, Buddhist era) or ``22 Nov 2026``; times in local time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    thai = translation.get_language() == "th"
    months = THAI_MONTHS_ABBR if thai else ENGLISH_MONTHS_ABBR
    return f"{value.day} {months[value.month - 1]} {shown_year(value, buddhist_era)}"


def format_datetime(value: dt.datetime | None, *, buddhist_era: bool | None = None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local, buddhist_era=buddhist_era)} {local:%H:%M}"


def format_month(value: dt.date | None, *, buddhist_era: bool | None = None) -> str:
    """``พ.ย. 2569`` or ``Nov 2026``: a month, for charts and report rows."""
    if value is None:
        return ""
    thai = translation.get_language() == "th"
    months = THAI_MONTHS_ABBR if thai else ENGLISH_MONTHS_ABBR
    return f"{months[value.month - 1]} {shown_year(value, buddhist_era)}"


# Typed dates. A year from 2400 on is a Buddhist-era year (2400 B.E. is A.D. 1857, before any
# date a CRM holds; A.D. 2400 is after any), so "23/05/2526" and "23/05/1983" are the same day
# whichever era the reader prefers, and no B.E. year is ever read as a year A.D.
BUDDHIST_ERA_FROM = 2400
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200  # A.D.; B.E. 2443 to 2743
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


class DateTextError(ValueError):
    """A typed date that is not a day; the message is for the person who typed it."""


def christian_era_year(year: int) -> int:
    """The year A.D. of a typed year in either era."""
    return year - BUDDHIST_ERA_OFFSET if year >= BUDDHIST_ERA_FROM else year


def parse_date_text(text: str) -> dt.date:
    """A day typed as ``23/05/2526``, ``23/5/1983``, ``23.05.2526`` or ``1983-05-23``
    (either era, day first). Raises :class:`DateTextError` with a message to show."""
    text = text.strip()
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise DateTextError(date_format_hint())
    year = christian_era_year(year)
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateTextError(year_range_hint())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateTextError(_("There is no such day: %(text)s.") % {"text": text}) from None


def parse_datetime_text(text: str) -> dt.datetime:
    """A day and a time (``23/05/2526 14:30``, ``2026-05-23T14:30``), naive: the caller
    puts it in the current time zone."""
    text = text.strip()
    date_text, _separator, time_text = text.replace("T", " ", 1).partition(" ")
    day = parse_date_text(date_text)
    time_text = time_text.strip() or "00:00"
    match = _TIME.fullmatch(time_text)
    if not match:
        raise DateTextError(_("Enter the time as hh:mm, e.g. 14:30."))
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateTextError(_("Enter the time as hh:mm, e.g. 14:30."))
    return dt.datetime.combine(day, dt.time(hour, minute, second))


def date_text(value: dt.date | None, *, buddhist_era: bool | None = None) -> str:
    """``23/05/2526`` (Buddhist era) or ``23/05/1983``: a day as a date field shows it."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{shown_year(value, buddhist_era)}"


def datetime_text(value: dt.datetime | None, *, buddhist_era: bool | None = None) -> str:
    """``23/05/2526 14:30`` in local time."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_text(local.date(), buddhist_era=buddhist_era)} {local:%H:%M}"


def date_format_hint(*, buddhist_era: bool | None = None) -> str:
    if buddhist_era is None:
        buddhist_era = buddhist_era_preference.get()
    example = "23/05/2526" if buddhist_era else "23/05/1983"
    return str(_("Enter the date as day/month/year, e.g. %(example)s.") % {"example": example})


def year_range_hint() -> str:
    return str(
        _(
            "Enter a year between %(first_be)s and %(last_be)s (B.E.) or %(first)s and %(last)s (A.D.)."
        )
        % {
            "first_be": EARLIEST_YEAR + BUDDHIST_ERA_OFFSET,
            "last_be": LATEST_YEAR + BUDDHIST_ERA_OFFSET,
            "first": EARLIEST_YEAR,
            "last": LATEST_YEAR,
        }
    )
