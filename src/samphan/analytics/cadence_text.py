"""A customer's habits in words, for the regulars lists and the cadence panel: why someone
is expected today, why they are overdue, which days they usually come on.

Weekday names come translated with their "day" word (Thai "วันพุธ"), so a sentence around
them never adds its own ("มักมาวัน วันพุธ", "วันวันอาทิตย์"). Shares are rounded, not cut
(the ``percent`` filter): 85.7% to no places is 86%.
"""

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext

from samphan.analytics.cadence import Cadence
from samphan.core.templatetags.samphan import percent


def weekday_list(days: tuple[int, ...] | list[int]) -> str:
    """ "Wednesday" / "Wednesday and Saturday" (Thai "วันพุธและวันเสาร์"), Monday = 0."""
    names = [str(WEEKDAYS[day]) for day in days]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(first)s and %(last)s") % {
        "first": ", ".join(names[:-1]),
        "last": names[-1],
    }


def usually_comes_on(cadence: Cadence) -> str:
    """The panel's line: "Usually comes on Wednesday" (Thai "มักมาวันพุธ"); empty without
    a usual day."""
    if not cadence.usual_weekdays:
        return ""
    return gettext("Usually comes on %(days)s") % {"days": weekday_list(cadence.usual_weekdays)}


def every_so_often(cadence: Cadence) -> str:
    if not cadence.mean_interval:
        return ""
    mean = round(cadence.mean_interval)
    return ngettext("every %(mean)s day on average", "every %(mean)s days on average", mean) % {
        "mean": mean
    }


def expected_reason(cadence: Cadence, *, likelihood: float | None, weekday: int) -> str:
    """Why a regular is expected today (``weekday``, Monday = 0): "usually comes on
    Wednesday (86% of 7 days) · every 7 days on average"."""
    parts = []
    if likelihood is not None and cadence.days:
        parts.append(
            ngettext(
                "usually comes on %(weekday)s (%(share)s of %(days)s day)",
                "usually comes on %(weekday)s (%(share)s of %(days)s days)",
                cadence.days,
            )
            % {"weekday": WEEKDAYS[weekday], "share": percent(likelihood, 0), "days": cadence.days}
        )
    parts.append(every_so_often(cadence))
    return " · ".join(part for part in parts if part)


def overdue_reason(cadence: Cadence, *, since_last: int) -> str:
    """Why a regular is overdue: "40 days away; usually every 7 days · used to come on
    Wednesday" (what they used to do, never "usually this weekday")."""
    if cadence.mean_interval:
        text = gettext("%(days)s days away; usually every %(usual)s days") % {
            "days": since_last,
            "usual": round(cadence.mean_interval),
        }
    else:
        text = gettext("%(days)s days away") % {"days": since_last}
    if cadence.usual_weekdays:
        text += " · " + gettext("used to come on %(days)s") % {
            "days": weekday_list(cadence.usual_weekdays)
        }
    return text
