"""Dates as Thai readers expect them: Buddhist era (พ.ศ. = ค.ศ. + 543) on request."""

import datetime as dt
from contextvars import ContextVar

from django.utils import timezone, translation

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


def format_date(value: dt.date | dt.datetime | None, *, buddhist_era: bool | None = None) -> str:
    """``22 พ.ย. 2569`` (Thai, Buddhist era) or ``22 Nov 2026``; times in local time."""
    if value is None:
        return ""
    if buddhist_era is None:
        buddhist_era = buddhist_era_preference.get()
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    thai = translation.get_language() == "th"
    months = THAI_MONTHS_ABBR if thai else ENGLISH_MONTHS_ABBR
    year = value.year + BUDDHIST_ERA_OFFSET if buddhist_era else value.year
    return f"{value.day} {months[value.month - 1]} {year}"


def format_datetime(value: dt.datetime | None, *, buddhist_era: bool | None = None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local, buddhist_era=buddhist_era)} {local:%H:%M}"


def format_month(value: dt.date | None, *, buddhist_era: bool | None = None) -> str:
    """``พ.ย. 2569`` or ``Nov 2026``: a month, for charts and report rows."""
    if value is None:
        return ""
    if buddhist_era is None:
        buddhist_era = buddhist_era_preference.get()
    thai = translation.get_language() == "th"
    months = THAI_MONTHS_ABBR if thai else ENGLISH_MONTHS_ABBR
    year = value.year + BUDDHIST_ERA_OFFSET if buddhist_era else value.year
    return f"{months[value.month - 1]} {year}"
