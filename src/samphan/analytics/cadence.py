"""When a customer comes, said only when the data supports it.

Read from the customer's ``CustomerActivity`` (days they came, the weekday and hour
histograms, the intervals), never from their orders. A usual weekday is stated only when
the week is clearly not uniform: a chi-square test of the weekday counts against an even
spread (six degrees of freedom) must reject evenness at the 1% level, over at least
``MIN_DAYS`` days, and the weekday must hold at least ``USUAL_SHARE`` of them.
"""

import datetime as dt
import math
from dataclasses import dataclass

from samphan.analytics.models import MIN_DAYS, USUAL_SHARE, WEEKDAYS, CustomerActivity

# MIN_DAYS: fewer coming days than this, no statement about habits; USUAL_SHARE: a usual
# weekday holds at least this share of the days. Both live with the roll-up, which keeps
# each customer's usual weekdays by the same test (``CustomerActivity.usual_weekdays``).
SIGNIFICANCE = 0.01
HOUR_WINDOW_SHARE = 0.5  # "around 10:00": half the days start within an hour of it
OVERDUE_FACTOR = 2.0  # overdue past twice the customer's own mean interval …
OVERDUE_MIN_EXTRA_DAYS = 7  # … and at least a week past it


def chi_square_uniform_p(counts: list[int]) -> float:
    """P-value of counts this uneven (or more) if every bin were equally likely.

    Closed form of the chi-square survival function for an even number of degrees of
    freedom (here 6 for a week): e^(−x/2) · Σ_{k < df/2} (x/2)^k / k!.
    """
    total = sum(counts)
    if total == 0:
        return 1.0
    expected = total / len(counts)
    statistic = sum((count - expected) ** 2 / expected for count in counts)
    half = statistic / 2
    freedom = len(counts) - 1
    if freedom % 2:
        raise ValueError("closed form needs an even number of degrees of freedom")
    return math.exp(-half) * sum(half**k / math.factorial(k) for k in range(freedom // 2))


@dataclass(frozen=True)
class Cadence:
    days: int  # days the customer came
    visits: int
    first_day: dt.date | None
    last_day: dt.date | None
    per_month: float | None  # coming days a month, over the customer's whole span
    mean_interval: float | None  # days
    interval_spread: float | None  # standard deviation, days
    usual_weekdays: tuple[int, ...]  # Monday = 0; empty: no regular day
    weekday_p: float | None
    usual_hour: int | None
    next_expected: dt.date | None
    days_since_last: int | None
    overdue: bool
    weekdays: tuple[int, ...]
    hours: tuple[int, ...]

    @property
    def enough_data(self) -> bool:
        return self.days >= MIN_DAYS


def cadence_of(activity: CustomerActivity | None, today: dt.date) -> Cadence:
    if activity is None or activity.first_day is None or activity.last_day is None:
        return Cadence(0, 0, None, None, None, None, None, (), None, None, None, None, False,
                       (0,) * 7, (0,) * 24)  # fmt: skip
    weekdays, hours = activity.weekdays, activity.hours
    days = activity.days
    first_day, last_day = activity.first_day, activity.last_day
    mean = spread = None
    if days > 1:
        mean = (last_day - first_day).days / (days - 1)
        variance = activity.gap_squares / (days - 1) - mean * mean
        spread = math.sqrt(max(variance, 0.0))
    months = max((today - first_day).days / 30.4375, 1.0)
    usual, p_value = usual_weekdays(weekdays)
    hour = usual_hour(hours)
    since = (today - last_day).days
    next_expected = None
    overdue = False
    if mean is not None and days >= MIN_DAYS:
        next_expected = last_day + dt.timedelta(days=max(1, round(mean)))
        if len(usual) == 1:
            next_expected = _nearest_weekday(next_expected, usual[0])
        overdue = since > max(OVERDUE_FACTOR * mean, mean + OVERDUE_MIN_EXTRA_DAYS)
    return Cadence(
        days=days,
        visits=activity.visit_count,
        first_day=first_day,
        last_day=last_day,
        per_month=round(days / months, 2),
        mean_interval=round(mean, 1) if mean is not None else None,
        interval_spread=round(spread, 1) if spread is not None else None,
        usual_weekdays=usual,
        weekday_p=p_value,
        usual_hour=hour,
        next_expected=next_expected,
        days_since_last=since,
        overdue=overdue,
        weekdays=tuple(weekdays),
        hours=tuple(hours),
    )


def usual_weekdays(counts: list[int]) -> tuple[tuple[int, ...], float | None]:
    """The weekdays the customer usually comes on (most days first), and the test's p."""
    total = sum(counts)
    if total < MIN_DAYS:
        return (), None
    p_value = chi_square_uniform_p(counts)
    if p_value >= SIGNIFICANCE:
        return (), p_value
    usual = [day for day in WEEKDAYS if counts[day] / total >= USUAL_SHARE]
    return tuple(sorted(usual, key=lambda day: -counts[day])), p_value


def usual_hour(counts: list[int]) -> int | None:
    """The hour most days start around (within an hour either side), if most do."""
    total = sum(counts)
    if total < MIN_DAYS:
        return None
    best = max(range(24), key=lambda hour: (_window(counts, hour), counts[hour]))
    return best if _window(counts, best) / total >= HOUR_WINDOW_SHARE else None


def _window(counts: list[int], hour: int) -> int:
    return sum(counts[(hour + shift) % 24] for shift in (-1, 0, 1))


def _nearest_weekday(day: dt.date, weekday: int) -> dt.date:
    shift = (weekday - day.weekday()) % 7
    return day + dt.timedelta(days=shift if shift <= 3 else shift - 7)
