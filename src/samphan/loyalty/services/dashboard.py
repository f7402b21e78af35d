"""The loyalty dashboard's figures (issue 24): what the programme owes, how points moved
month by month, and how members spend beside similar customers who are not members.

- **Liability**: the points members hold (positive balances only: a balance below zero
  after a refund owes nothing) at the programme's ``point_value``, and the part of them
  due to expire within ``EXPIRING_DAYS`` (first in first out, as ``services.expiry``).
- **Months**: the ledger's points by Bangkok calendar month and kind, one grouped query.
- **Members and non-members**: a member is a customer with a member number. Over the
  last 12 months, the paid revenue and the paid orders (visits) of each customer who had
  bought before those months began, compared within bands of the same kind (people,
  companies) and of what they spent in the 12 months before (its quartiles for the kind):
  in each band the difference of means, members less non-members, with Welch's standard
  error; the bands combined weighted by their members (so the non-members are weighed to
  the members' kind and spend), with a 95% interval of ±1.96 standard errors. It is an association: members may differ in ways the spend
  before does not capture, so it does not prove the programme caused the difference.
"""

import datetime as dt
import math
import statistics
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, FloatField, Min, Q, Sum
from django.db.models.functions import TruncMonth

from samphan.core.money import to_baht
from samphan.core.periods import Period, preset_period
from samphan.core.sql import zone
from samphan.customers.models import Customer
from samphan.loyalty.models import Member, PointsEntry
from samphan.loyalty.services.earning import in_force
from samphan.loyalty.services.expiry import expiring
from samphan.sales.models import Order

MONTHS = 12
EXPIRING_DAYS = 90
BANDS = 4  # quartiles of the spend before the window
Z_95 = 1.96  # a normal 95% interval: at a real shop a band holds many customers
TWO_PLACES = Decimal("0.01")


# Liability ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Liability:
    points: int  # the members' positive balances, added
    members: int  # members holding points
    point_value: Decimal  # baht a point is worth
    expiring_points: int  # of ``points``, due to expire before ``expiring_before``
    expiring_before: dt.date

    @property
    def baht(self) -> Decimal:
        return to_baht(self.points * self.point_value)

    @property
    def expiring_baht(self) -> Decimal:
        return to_baht(self.expiring_points * self.point_value)


def liability(today: dt.date) -> Liability:
    """The points outstanding and their value, and what of them expires soon: a query
    for the balances, one grouped query for the expiring points (members with points due
    in the next ``EXPIRING_DAYS`` days only) and the programme in force."""
    held = Member.objects.filter(points__gt=0).aggregate(
        points=Sum("points", default=0), members=Count("pk")
    )
    before = today + dt.timedelta(days=EXPIRING_DAYS)
    due = expiring(before, Q(expires_on__gte=today, expires_on__lt=before), today=today)
    return Liability(
        points=held["points"],
        members=held["members"],
        point_value=in_force()[0].point_value,
        expiring_points=sum(item.points for item in due),
        expiring_before=before,
    )


# Points by month ---------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: dt.date  # its first day
    earned: int = 0
    redeemed: int = 0  # negative: points spent
    expired: int = 0  # negative
    adjusted: int = 0  # by hand, either way
    taken_back: int = 0  # refunds (negative), cancelled vouchers (positive)

    @property
    def net(self) -> int:
        return self.earned + self.redeemed + self.expired + self.adjusted + self.taken_back


KIND_FIELDS: dict[str, str] = {
    PointsEntry.Kind.EARN: "earned",
    PointsEntry.Kind.REDEEM: "redeemed",
    PointsEntry.Kind.EXPIRE: "expired",
    PointsEntry.Kind.ADJUST: "adjusted",
    PointsEntry.Kind.REVERSE: "taken_back",
}


def month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def points_by_month(today: dt.date, months: int = MONTHS) -> list[Month]:
    """The ledger's points of the last ``months`` calendar months (this one included) by
    kind, months without a row as zeros. One GROUP BY on (month, kind): the month is the
    row's time truncated in Bangkok (``AT TIME ZONE`` on PostgreSQL, Django's function on
    SQLite), so a row at 23:30 on the 31st in Bangkok counts in that month."""
    first = month_add(today.replace(day=1), 1 - months)
    span = Period(first, today)
    rows = (
        PointsEntry.objects.filter(at__gte=span.start, at__lt=span.end)
        .order_by()
        .annotate(month=TruncMonth("at", tzinfo=zone()))
        .values("month", "kind")
        .annotate(points=Sum("points"))
    )
    found: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        field = KIND_FIELDS.get(row["kind"])
        if field:
            month = found.setdefault(row["month"].date(), {})
            month[field] = month.get(field, 0) + row["points"]
    return [
        Month(day, **found.get(day, {})) for day in (month_add(first, n) for n in range(months))
    ]


# Members and similar non-members -----------------------------------------------------


@dataclass(frozen=True)
class Spend:
    """One existing customer: a member or not, their spend in the year before the window,
    and their paid revenue and orders in it."""

    member: bool
    before: float
    revenue: float
    orders: int
    company: bool = False


def windows(today: dt.date) -> tuple[Period, Period]:
    """The last 12 months to ``today``, and the 12 months before them."""
    window = preset_period("last_12_months", today)
    return window, preset_period("last_12_months", window.since - dt.timedelta(days=1))


def customers_spend(window: Period, before: Period) -> list[Spend]:
    """Each customer with a paid order before ``window``: one row grouped by customer over
    their paid orders to the window's end (the (customer, status, date) index serves it).
    Revenue is the orders' net revenue (before VAT, after discounts and returns), as the
    analytics count it. The statistics run in Python over these rows, a row per customer
    who ever bought: fine for a shop's tens of thousands; at a million customers it wants
    the sums and squares per band in SQL instead."""
    in_window = Q(ordered_at__gte=window.start)
    in_before = Q(ordered_at__gte=before.start, ordered_at__lt=window.start)
    rows = (
        Order.objects.counted()
        .filter(ordered_at__lt=window.end)
        .order_by()
        .values("customer_id", "customer__member_number", "customer__kind")
        .annotate(
            first=Min("ordered_at"),
            # Float sums, as the analytics' per-customer sums (SQLite casts decimals slowly).
            before=Sum("revenue", filter=in_before, default=0, output_field=FloatField()),
            revenue=Sum("revenue", filter=in_window, default=0, output_field=FloatField()),
            orders=Count("id", filter=in_window),
        )
        .filter(first__lt=window.start)
    )
    return [
        Spend(
            member=bool(row["customer__member_number"]),
            before=row["before"],
            revenue=row["revenue"],
            orders=row["orders"],
            company=row["customer__kind"] == Customer.Kind.COMPANY,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Sample:
    """A group's figure in one band: how many, their mean and its squared standard error."""

    count: int
    mean: float
    variance_of_mean: float  # s² / n, with the sample variance s² (n − 1)


def sample(values: Sequence[float]) -> Sample:
    """Of two values or more (a band is compared only with two of each group)."""
    return Sample(len(values), statistics.fmean(values), statistics.variance(values) / len(values))


@dataclass(frozen=True)
class Band:
    """Customers of a kind whose spend before the window is between ``low`` and ``high``."""

    company: bool
    low: Decimal
    high: Decimal
    members: int
    others: int
    revenue: tuple[Sample, Sample] | None  # members, non-members: None when not compared
    orders: tuple[Sample, Sample] | None

    @property
    def compared(self) -> bool:
        return self.revenue is not None


@dataclass(frozen=True)
class Estimate:
    """Members' mean and similar non-members' (weighed to the members' bands), each with
    its 95% interval, and the difference with its standard error and 95% interval. Each
    figure is rounded from the exact one, to two places."""

    members: Decimal
    members_low: Decimal
    members_high: Decimal
    others: Decimal
    others_low: Decimal
    others_high: Decimal
    difference: Decimal
    error: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Comparison:
    window: Period
    before: Period
    bands: list[Band]
    revenue: Estimate | None  # None: no band holds two of each
    orders: Estimate | None
    members: int  # compared: in a band with at least two members and two non-members
    others: int
    members_left_out: int  # existing members in a band without enough of either
    others_left_out: int


def band_cuts(values: Sequence[float], bands: int = BANDS) -> list[float]:
    """The lower edges of bands 2 … ``bands`` of ``values`` (quantiles): a value goes to
    band ``bisect_right(cuts, value)``, so equal values share a band; cuts that repeat
    leave bands empty, as when most customers spent nothing before."""
    ordered = sorted(values)
    return [ordered[len(ordered) * n // bands] for n in range(1, bands)] if ordered else []


def combine(pairs: Sequence[tuple[Sample, Sample]]) -> Estimate:
    """The bands' members-less-non-members differences, weighted by the members in each
    (w = n_members / all members compared): d = Σ w·(m − o), SE² = Σ w²·(s²m/nm + s²o/no),
    the interval d ± 1.96·SE; each group's mean Σ w·mean with its own SE the same way."""
    total = sum(members.count for members, _others in pairs)
    weights = [members.count / total for members, _others in pairs]
    members, members_variance = _weighted(weights, [members for members, _others in pairs])
    others, others_variance = _weighted(weights, [others for _members, others in pairs])
    difference, error = members - others, math.sqrt(members_variance + others_variance)
    members_margin = Z_95 * math.sqrt(members_variance)
    others_margin = Z_95 * math.sqrt(others_variance)
    return Estimate(
        members=two_places(members),
        members_low=two_places(members - members_margin),
        members_high=two_places(members + members_margin),
        others=two_places(others),
        others_low=two_places(others - others_margin),
        others_high=two_places(others + others_margin),
        difference=two_places(difference),
        error=two_places(error),
        low=two_places(difference - Z_95 * error),
        high=two_places(difference + Z_95 * error),
    )


def _weighted(weights: Sequence[float], samples: Sequence[Sample]) -> tuple[float, float]:
    """Σ w·mean and Σ w²·s²/n: a mean over the bands and its squared standard error."""
    mean = sum(w * found.mean for w, found in zip(weights, samples, strict=True))
    variance = sum(
        w * w * found.variance_of_mean for w, found in zip(weights, samples, strict=True)
    )
    return mean, variance


def two_places(value: float) -> Decimal:
    """A statistic in the figures: two decimal places."""
    return Decimal(repr(value)).quantize(TWO_PLACES)


def _pair(rows: Sequence[Spend], measure: Callable[[Spend], float]) -> tuple[Sample, Sample]:
    return (
        sample([measure(row) for row in rows if row.member]),
        sample([measure(row) for row in rows if not row.member]),
    )


def band_make(rows: Sequence[Spend]) -> Band:
    members = sum(1 for row in rows if row.member)
    others = len(rows) - members
    compared = members >= 2 and others >= 2  # a variance needs two of each
    return Band(
        company=rows[0].company,
        low=to_baht(Decimal(repr(min(row.before for row in rows)))),
        high=to_baht(Decimal(repr(max(row.before for row in rows)))),
        members=members,
        others=others,
        revenue=_pair(rows, lambda row: row.revenue) if compared else None,
        orders=_pair(rows, lambda row: float(row.orders)) if compared else None,
    )


def compare(rows: Sequence[Spend], window: Period, before: Period) -> Comparison:
    """Members against non-members within bands of kind and of spend before the window:
    a company, which may buy a hundred times what a person does, is compared with
    companies only."""
    grouped: dict[tuple[bool, int], list[Spend]] = {}
    for company in (False, True):
        kind = [row for row in rows if row.company == company]
        cuts = band_cuts([row.before for row in kind])
        for row in kind:
            grouped.setdefault((company, bisect_right(cuts, row.before)), []).append(row)
    bands = [band_make(grouped[key]) for key in sorted(grouped)]
    used = [band for band in bands if band.compared]
    left_out = [band for band in bands if not band.compared]
    return Comparison(
        window=window,
        before=before,
        bands=bands,
        revenue=combine([band.revenue for band in used if band.revenue]) if used else None,
        orders=combine([band.orders for band in used if band.orders]) if used else None,
        members=sum(band.members for band in used),
        others=sum(band.others for band in used),
        members_left_out=sum(band.members for band in left_out),
        others_left_out=sum(band.others for band in left_out),
    )


def members_compare(today: dt.date) -> Comparison:
    window, before = windows(today)
    return compare(customers_spend(window, before), window, before)


# The page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    liability: Liability
    months: list[Month]
    comparison: Comparison

    @property
    def has_points(self) -> bool:
        """Anything to show of the ledger: points held, or points moved in the months."""
        return bool(self.liability.points) or any(
            month.earned or month.redeemed or month.expired or month.adjusted or month.taken_back
            for month in self.months
        )


def dashboard(today: dt.date) -> Dashboard:
    return Dashboard(
        today=today,
        liability=liability(today),
        months=points_by_month(today),
        comparison=members_compare(today),
    )
