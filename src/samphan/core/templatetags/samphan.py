"""Template helpers every page uses: Thai dates, baht and phone numbers."""

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext

from samphan.core import dates, durations, money, phones
from samphan.core.forms import DateInput
from samphan.core.http import User

register = template.Library()


@register.filter
def thai_date(value: dt.date | dt.datetime | None) -> str:
    return dates.format_date(value)


@register.filter
def thai_month(value: dt.date | None) -> str:
    return dates.format_month(value)


@register.filter
def thai_datetime(value: dt.datetime | None) -> str:
    return dates.format_datetime(value)


@register.filter
def since(value: dt.datetime | None) -> str:
    """How long ago, in the page's language ("1 สัปดาห์ 2 วัน"); Django's ``timesince``
    has no Thai."""
    return durations.format_since(value)


@register.filter
def baht(value: Decimal | int | str | None) -> str:
    return money.format_baht(value)


@register.filter
def phone(value: str) -> str:
    return phones.format_phone(value)


@register.filter
def duration_days(value: dt.timedelta | None) -> str:
    """A stay in days, to one decimal under ten days ("2.5 days", "14 days", "less than an hour")."""
    if value is None:
        return ""
    days = value.total_seconds() / 86_400
    if days < 1 / 24:
        return gettext("less than an hour")
    if days < 1:
        hours = round(days * 24)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    shown = round(days, 1) if days < 10 else round(days)
    return ngettext("%(count)s day", "%(count)s days", int(shown)) % {"count": shown}


@register.filter
def user_label(user: User | None) -> str:
    """A user's full name, else their username; a dash for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def percent(value: float | Decimal | str | None, places: int = 1) -> str:
    """A share (0.2345) as a percentage in the page's number format: 23.5%. Rounded half
    up (0.01566 is 1.6%, 0.857 to no places 86%): the number format alone cuts digits."""
    try:
        shown = (Decimal(str(value)) * 100).quantize(
            Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP
        )
    except (InvalidOperation, ValueError):  # None, or a value the template lacks ("")
        return "–"
    return f"{formats.number_format(shown, int(places))}%"


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """``mapping[key]`` in a template, None when missing."""
    return mapping.get(key) if mapping else None


@register.filter
def weekday_name(day: int) -> str:
    """Monday = 0 … Sunday = 6, in the page's language."""
    return str(WEEKDAYS[day])


@register.filter
def choice_label(bound_field: Any) -> str:
    """The label of a choice field's current value (its empty choice when none)."""
    value = bound_field.value() or ""
    return str(dict(bound_field.field.choices).get(value, value))


@register.simple_tag
def date_input(name: str, value: Any, *, errors: Any = None, period: bool = False) -> str:
    """A date field written by hand in a template (the period pickers), shown and read as
    every form's date fields are (core.forms.DateInput)."""
    attrs: dict[str, Any] = {"id": f"id_{name}"}
    if period:
        attrs["data-period-date"] = ""
    if errors:
        attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-errors"})
    return DateInput(attrs=attrs).render(name, value)
