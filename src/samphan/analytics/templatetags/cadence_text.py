"""``{% cadence_reason row cadence tab %}``: why a regular is on the expected-today or the
overdue list, in words (``analytics.cadence_text``)."""

from typing import Any

from django import template
from django.utils import timezone

from samphan.analytics import cadence_text
from samphan.analytics.cadence import Cadence

register = template.Library()


@register.simple_tag
def cadence_reason(row: Any, cadence: Cadence, tab: str) -> str:
    if tab == "overdue":
        return cadence_text.overdue_reason(cadence, since_last=cadence.days_since_last or 0)
    # The lists are today's: today's weekday is the usual one that put them on it.
    return cadence_text.expected_reason(
        cadence, likelihood=getattr(row, "likelihood", None), weekday=timezone.localdate().weekday()
    )


@register.simple_tag
def usually_comes_on(cadence: Cadence) -> str:
    return cadence_text.usually_comes_on(cadence)
