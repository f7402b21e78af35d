"""Template helpers every page uses: Thai dates, baht and phone numbers."""

import datetime as dt
from decimal import Decimal

from django import template

from samphan.core import dates, money, phones

register = template.Library()


@register.filter
def thai_date(value: dt.date | dt.datetime | None) -> str:
    return dates.format_date(value)


@register.filter
def thai_datetime(value: dt.datetime | None) -> str:
    return dates.format_datetime(value)


@register.filter
def baht(value: Decimal | int | str | None) -> str:
    return money.format_baht(value)


@register.filter
def phone(value: str) -> str:
    return phones.format_phone(value)
