"""Who is expected today and who is overdue, from the cadence roll-up."""

import datetime as dt

from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from samphan.accounts.models import User
from samphan.analytics.cadence import OVERDUE_FACTOR, OVERDUE_MIN_EXTRA_DAYS
from samphan.analytics.models import (
    CHI_SQUARE_6_AT_1_PERCENT,
    MIN_DAYS,
    USUAL_SHARE,
    CustomerActivity,
)
from samphan.core import sql
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer


def _activity_of_visible(user: User) -> QuerySet[CustomerActivity]:
    # A join to each qualifying row's customer, not "IN (the visible customers)": SQLite
    # would first collect a million ids for someone who sees them all.
    activity = CustomerActivity.objects.filter(customer__archived_at__isnull=True)
    if not sees_all_records(user):
        activity = activity.filter(customer__in=Customer.objects.visible_to(user))
    return activity.select_related("customer")


def _column(name: str) -> str:
    return f"{CustomerActivity._meta.db_table}.{name}"


def _since_last(today: dt.date) -> str:
    return sql.days_between(sql.date_literal(today), _column("last_day"))


def _mean_interval() -> str:
    span = sql.days_between(_column("last_day"), _column("first_day"))
    return f"(1.0 * {span} / ({_column('days')} - 1))"


def _overdue_limit(mean: str) -> str:
    factor, extra = OVERDUE_FACTOR, OVERDUE_MIN_EXTRA_DAYS
    return (
        f"(CASE WHEN {factor} * {mean} > {mean} + {extra} "
        f"THEN {factor} * {mean} ELSE {mean} + {extra} END)"
    )


def _raw(expression: str) -> RawSQL:
    return RawSQL(expression, [])  # noqa: S611 - built from column names and literals


def expected_today(user: User, today: dt.date) -> QuerySet[CustomerActivity]:
    """Regulars whose usual weekday is today's and who have not lapsed: at least
    ``MIN_DAYS`` coming days, a week uneven by the chi-square test, today's weekday holding
    at least 40% of their days, gone at least half their usual interval (someone who
    comes every ten weeks and came last week is not due) and not past their overdue
    limit. Most likely
    first (today's weekday share), then the most regular."""
    days = _column("days")
    squares = " + ".join(f"{_column(f'weekday_{d}')} * {_column(f'weekday_{d}')}" for d in range(7))
    since = _since_last(today)
    return (
        _activity_of_visible(user)
        .filter(days__gte=MIN_DAYS)
        .annotate(
            likelihood=_raw(f"1.0 * {_column(f'weekday_{today.weekday()}')} / {days}"),
            unevenness=_raw(f"7.0 * ({squares}) / {days} - {days}"),
            since_last=_raw(since),
            due_after=_raw(f"{sql.greatest()}(1, 0.5 * {_mean_interval()})"),
            lapsed_after=_raw(_overdue_limit(_mean_interval())),
        )
        .filter(
            likelihood__gte=USUAL_SHARE,
            unevenness__gt=CHI_SQUARE_6_AT_1_PERCENT,
            since_last__gte=F("due_after"),
            since_last__lte=F("lapsed_after"),
        )
        .order_by("-likelihood", "-days", "customer_id")
    )


def overdue_regulars(user: User, today: dt.date) -> QuerySet[CustomerActivity]:
    """Regulars (``MIN_DAYS`` coming days or more) whose gap since the last one is well
    beyond their own usual interval, but less than a year: churn risk, worth a call.
    The most valuable first."""
    return (
        _activity_of_visible(user)
        .filter(days__gte=MIN_DAYS)
        .annotate(
            since_last=_raw(_since_last(today)),
            usual_interval=_raw(_mean_interval()),
            overdue_after=_raw(_overdue_limit(_mean_interval())),
        )
        .filter(since_last__gt=F("overdue_after"), since_last__lte=365)
        .order_by(F("revenue").desc(nulls_last=True), "customer_id")
    )
