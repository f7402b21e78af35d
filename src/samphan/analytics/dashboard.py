"""The home dashboard's figures: KPIs for a period beside the period before it, and the
monthly revenue trend. Money comes from the per-day roll-up (a range sum) for users who
see every record, and from their visible customers' orders for the others."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics import columns, queries, snapshots
from samphan.analytics.figures import TopQuestion, columns_for
from samphan.analytics.figures import figures as top_figures
from samphan.analytics.models import CustomerActivity, DailySales, HourlyTraffic
from samphan.analytics.snapshots import BUILDERS, all_records_user
from samphan.core.periods import Period, preset_period
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer, Interaction
from samphan.customers.queries import customer_counts
from samphan.sales.models import ZERO, Order


@dataclass(frozen=True)
class Kpis:
    revenue: Decimal
    profit: Decimal
    orders: int
    average_order: Decimal | None
    buyers: int  # customers with a paid order in the period
    new_buyers: int  # … whose first purchase ever is in the period
    returning_buyers: int  # … who had bought before it
    repeat_rate: float | None  # returning / buyers


@dataclass(frozen=True)
class Kpi:
    key: str
    value: Any
    previous: Any
    change: float | None  # relative change, 0.12 = +12%


def comparison_period(period: Period, today: dt.date) -> Period | None:
    """What a period's KPIs are compared with: like with like, never a whole month with
    the few days of this one that have passed.

    Only the part of the period up to today counts (all of it when it is over). A period of
    whole calendar months (this month, last month, this quarter, this year) is compared with
    the same days as many months before: 1–6 December with 1–6 November, 1 October – 6
    December with 1 July – 6 September, 1–31 March with all February (a day past a shorter
    month's end is its last day); once over, with the whole months before. Any other period
    (the last 30 days, custom dates) with as many days just before. All time: nothing.
    """
    if period.from_the_start:
        return None
    elapsed_until = min(period.until, today) if period.since <= today else period.until
    months = _whole_months(period)
    if months:
        since = _shift_months(period.since, -months)
        if elapsed_until == period.until:
            return Period(since, period.since - dt.timedelta(days=1))
        return Period(since, _shift_months(elapsed_until, -months))
    days = (elapsed_until - period.since).days + 1
    until = period.since - dt.timedelta(days=1)
    return Period(until - dt.timedelta(days=days - 1), until)


def _whole_months(period: Period) -> int:
    """How many calendar months the period is, when it is whole months (else 0)."""
    if period.since.day != 1 or (period.until + dt.timedelta(days=1)).day != 1:
        return 0
    until, since = period.until, period.since
    return (until.year - since.year) * 12 + until.month - since.month + 1


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months away, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def kpis(user: User, period: Period) -> Kpis:
    paid = Order.objects.visible_to(user).filter(
        status=Order.Status.PAID, ordered_at__gte=period.start, ordered_at__lt=period.end
    )
    if sees_all_records(user):
        money = DailySales.objects.filter(day__gte=period.since, day__lte=period.until).aggregate(
            revenue=Sum("revenue"), profit=Sum("profit"), orders=Sum("order_count")
        )
    else:
        money = paid.aggregate(revenue=Sum("revenue"), profit=Sum("profit"), orders=Count("id"))
    copy, bounds = columns_for(user, period)
    if copy is not None and bounds is not None:
        buyers, new_buyers = columns.buyers(copy, period.start, period.end)
    else:  # two passes over the period's orders
        buyers = paid.order_by().values("customer_id").distinct().count()
        new_buyers = CustomerActivity.objects.filter(
            customer__in=paid.values("customer_id"),
            first_purchase_at__gte=period.start,
            first_purchase_at__lt=period.end,
        ).count()
    orders = money["orders"] or 0
    revenue = money["revenue"] or ZERO
    returning = buyers - new_buyers
    return Kpis(
        revenue=revenue,
        profit=money["profit"] or ZERO,
        orders=orders,
        average_order=(revenue / orders).quantize(Decimal("0.01")) if orders else None,
        buyers=buyers,
        new_buyers=new_buyers,
        returning_buyers=returning,
        repeat_rate=round(returning / buyers, 4) if buyers else None,
    )


def compared(current: Kpis, previous: Kpis | None) -> list[Kpi]:
    result = []
    for key in Kpis.__dataclass_fields__:
        now = getattr(current, key)
        before = getattr(previous, key) if previous else None
        change = None
        if now is not None and before:
            change = round(float((now - before) / abs(before)), 4)
        result.append(Kpi(key=key, value=now, previous=before, change=change))
    return result


def monthly_revenue(user: User, months: int, today: dt.date) -> list[tuple[dt.date, Decimal]]:
    """Revenue per calendar month for the last ``months`` months (this one included),
    months without sales as zero."""
    first = _months_back(today.replace(day=1), months - 1)
    if sees_all_records(user):
        daily = (
            DailySales.objects.filter(day__gte=first)
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(total=Sum("revenue"))
        )
        totals = {row["month"]: row["total"] for row in daily}
    else:
        start = Period(first, today).start
        orders = (
            Order.objects.visible_to(user)
            .filter(status=Order.Status.PAID, ordered_at__gte=start)
            .annotate(month=TruncMonth("ordered_at"))
            .values("month")
            .annotate(total=Sum("revenue"))
        )
        totals = {row["month"].date(): row["total"] for row in orders}
    return [
        (month, totals.get(month) or ZERO)
        for month in (_months_back(first, -offset) for offset in range(months))
    ]


def _months_back(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def week_hours(user: User, period: Period) -> list[list[int]]:
    """Orders and visits of the period by weekday (rows, Monday first) and local hour:
    from the per-hour roll-up for users who see every record, from their customers'
    orders and visits for the others."""
    grid = [[0] * 24 for _ in range(7)]
    if sees_all_records(user):
        rows = (
            HourlyTraffic.objects.filter(day__gte=period.since, day__lte=period.until)
            .annotate(weekday=ExtractIsoWeekDay("day"))
            .values("weekday", "hour")
            .annotate(count=Sum("orders") + Sum("visits"))
            .values_list("weekday", "hour", "count")
        )
        for weekday, hour, count in rows:
            grid[weekday - 1][hour] += count or 0
        return grid
    visible = Customer.objects.visible_to(user)
    sources = (
        Order.objects.filter(customer__in=visible, status=Order.Status.PAID).annotate(
            at=F("ordered_at")
        ),
        Interaction.objects.filter(customer__in=visible, kind=Interaction.Kind.VISIT).annotate(
            at=F("occurred_at")
        ),
    )
    for events in sources:
        counted = (
            events.filter(at__gte=period.start, at__lt=period.end)
            .annotate(weekday=ExtractIsoWeekDay("at"), hour=ExtractHour("at"))
            .order_by()
            .values("weekday", "hour")
            .annotate(count=Count("id"))
            .values_list("weekday", "hour", "count")
        )
        for weekday, hour, count in counted:
            grid[weekday - 1][hour] += count
    return grid


def figures(
    user: User,
    period: Period,
    today: dt.date,
    *,
    whatever_the_period: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the dashboard shows for a period, as JSON-safe values (money as text),
    so the same dict is rendered live or stored as a snapshot."""
    current = kpis(user, period)
    compared_with = comparison_period(period, today)
    before = kpis(user, compared_with) if compared_with else None
    top = top_figures(user, TopQuestion(period, limit=5))
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "compared_with": {
            "since": compared_with.since.isoformat(),
            "until": compared_with.until.isoformat(),
        }
        if compared_with
        else None,
        "kpis": {
            kpi.key: {
                "value": _plain(kpi.value),
                "previous": _plain(kpi.previous),
                "change": kpi.change,
            }
            for kpi in compared(current, before)
        },
        "months": [
            [month.isoformat(), str(total)] for month, total in monthly_revenue(user, 24, today)
        ],
        "top": [
            {
                "rank": row.rank,
                "customer_id": row.customer_id,
                "name": row.name,
                "revenue": _plain(row.revenue),
                "share": row.share,
            }
            for row in top.rows
        ],
        "concentration": {str(key): value for key, value in top.share.concentration.items()},
        "gini": top.share.gini,
        "week_hours": week_hours(user, period),
        **(whatever_the_period or figures_whatever_the_period(user, today)),
    }


def figures_whatever_the_period(user: User, today: dt.date) -> dict[str, Any]:
    """The dashboard's figures that do not depend on its period."""
    return {
        "counts": customer_counts(user),
        "expected_today": queries.expected_today(user, today).count(),
        "overdue": queries.overdue_regulars(user, today).count(),
    }


def _plain(value: Any) -> Any:
    return str(value.quantize(Decimal("0.01"))) if isinstance(value, Decimal) else value


def build_snapshot(preset: str) -> dict[str, Any]:
    """A preset period's dashboard for everyone who sees all records (the snapshot)."""
    today, user = timezone.localdate(), all_records_user()
    # The same for every period: once for all of them in a round of the worker's loop.
    same = snapshots.shared(
        f"dashboard-whatever-the-period:{today}",
        lambda: figures_whatever_the_period(user, today),
    )
    return figures(user, preset_period(preset, today), today, whatever_the_period=same)


BUILDERS["dashboard"] = build_snapshot
