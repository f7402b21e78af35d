"""The lifecycle funnel (C24) and the pipeline's stage-to-stage conversion (C16).

The lifecycle funnel follows the leads that arrived in a period, as a cohort: how many
were converted (became a prospect or customer), how many of those bought, how many bought
again, and the median time each step took. The pipeline funnel follows the deals created
in the period: how many reached each stage (a deal that skipped a stage counts as having
passed it), and what share of those at one stage reached the next. Per sales channel, the
customers who first bought in the period, by the channel of that first purchase: how many
bought again, and how long it took (channels belong to orders, not to leads).
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Case, F, Max, QuerySet, Value, When

from samphan.accounts.models import User
from samphan.analytics.models import PurchaseMarks
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.sales.models import Deal, DealStageChange, Lead, Pipeline, Stage


@dataclass(frozen=True)
class Step:
    key: str
    count: int
    rate: float | None  # of the step before
    overall: float | None  # of the first step
    median_days: float | None  # from the step before, over those who made it


@dataclass(frozen=True)
class Breakdown:
    value: str  # the source (or campaign); "" when none was given
    leads: int
    converted: int
    bought: int
    repeat: int

    @property
    def source_label(self) -> str:
        return Customer.Source.label_of(self.value)

    @property
    def conversion(self) -> float | None:
        return round(self.bought / self.leads, 4) if self.leads else None


def _leads(user: User, period: Period) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )


def lifecycle(user: User, period: Period) -> list[Step]:
    """Leads → converted → bought → bought again, for the leads of the period."""
    rows = list(
        _leads(user, period)
        .annotate(
            first_order=F("customer__marks__first_at"),
            second_order=F("customer__marks__second_at"),
        )
        .values("status", "created_at", "closed_at", "first_order", "second_order")
    )
    converted = [row for row in rows if row["status"] == Lead.Status.CONVERTED]
    # A purchase counts from the lead's arrival on (a repeat customer's new enquiry is
    # measured on what it led to, not on old orders).
    bought = [r for r in converted if r["first_order"] and r["first_order"] >= r["created_at"]]
    again = [r for r in bought if r["second_order"]]
    steps = [
        ("leads", rows, None),
        ("converted", converted, [_days(r["created_at"], r["closed_at"]) for r in converted]),
        (
            "bought",
            bought,
            [_days(r["closed_at"] or r["created_at"], r["first_order"]) for r in bought],
        ),
        ("repeat", again, [_days(r["first_order"], r["second_order"]) for r in again]),
    ]
    result: list[Step] = []
    for key, members, gaps in steps:
        before = result[-1].count if result else None
        result.append(
            Step(
                key=key,
                count=len(members),
                rate=_rate(len(members), before) if before is not None else None,
                overall=_rate(len(members), len(rows)) if result else None,
                median_days=_median(gaps),
            )
        )
    return result


def by_source(user: User, period: Period, field: str = "source") -> list[Breakdown]:
    """The same cohort per lead source (or campaign), most leads first."""
    if field not in ("source", "campaign"):
        raise ValueError(field)
    # Paid orders from the lead's arrival on: one if the customer's last came after it,
    # two if their second-to-last did (the marks' moments, not a count over orders).
    rows = (
        _leads(user, period)
        .annotate(
            orders=Case(
                When(customer__marks__penult_at__gte=F("created_at"), then=Value(2)),
                When(customer__marks__last_at__gte=F("created_at"), then=Value(1)),
                default=Value(0),
            )
        )
        .values(field, "status", "orders")
    )
    groups: dict[str, list[int]] = {}
    for row in rows:
        counts = groups.setdefault(row[field] or "", [0, 0, 0, 0])
        counts[0] += 1
        if row["status"] == Lead.Status.CONVERTED:
            counts[1] += 1
            orders = row["orders"] or 0
            counts[2] += orders >= 1
            counts[3] += orders >= 2
    return sorted(
        (Breakdown(value, *counts) for value, counts in groups.items()),
        key=lambda item: (-item.leads, item.value),
    )


@dataclass(frozen=True)
class ChannelCohort:
    channel: str  # of the first purchase
    new: int  # customers whose first purchase fell in the period
    repeat: int  # of those, who have bought again since
    median_days: float | None  # from the first purchase to the second

    @property
    def repeat_rate(self) -> float | None:
        return _rate(self.repeat, self.new)


def by_channel(user: User, period: Period) -> list[ChannelCohort]:
    """New customers of the period by the channel of their first purchase, and their
    second purchases (the first moment after the first); most customers first. Read from
    the purchase marks, one row per customer, never from the orders."""
    firsts = (
        PurchaseMarks.objects.visible_to(user)
        .filter(first_at__gte=period.start, first_at__lt=period.end)
        .values_list("first_channel", "repeat_seconds")
    )
    first_by_customer = [
        (channel, None if seconds is None else max(seconds / 86_400, 0.0))
        for channel, seconds in firsts
    ]
    groups: dict[str, list[float | None]] = {}
    for channel, gap in first_by_customer:
        groups.setdefault(channel, []).append(gap)
    cohorts = [
        ChannelCohort(
            channel=channel,
            new=len(gaps),
            repeat=sum(gap is not None for gap in gaps),
            median_days=_median(gaps),
        )
        for channel, gaps in groups.items()
    ]
    return sorted(cohorts, key=lambda row: (-row.new, row.channel))


@dataclass(frozen=True)
class StageStep:
    stage: Stage
    reached: int
    rate: float | None  # of those who reached the stage before


def pipeline_funnel(user: User, pipeline: Pipeline, period: Period) -> list[StageStep]:
    """For the deals created in the period: how many reached each open stage and Won.

    A deal reached a stage if it was ever moved there or to a later one (its highest
    position), so skipped stages count as passed; Lost is not a step."""
    stages = [stage for stage in pipeline.stages.all() if stage.outcome != Stage.Outcome.LOST]
    deals = Deal.objects.visible_to(user).filter(
        pipeline=pipeline, created_at__gte=period.start, created_at__lt=period.end
    )
    furthest = (
        DealStageChange.objects.filter(deal__in=deals, to_stage__outcome__in=_not_lost())
        .values("deal_id")
        .annotate(position=Max("to_stage__position"))
    )
    positions = {row["deal_id"]: row["position"] for row in furthest}
    current = deals.exclude(stage__outcome=Stage.Outcome.LOST).values_list("id", "stage__position")
    for deal_id, position in current:
        positions[deal_id] = max(positions.get(deal_id, position), position)
    lowest = min((stage.position for stage in stages), default=0)
    for deal_id in deals.values_list("id", flat=True):
        positions.setdefault(deal_id, lowest)  # lost from its first stage
    result: list[StageStep] = []
    for stage in stages:
        reached = sum(1 for position in positions.values() if position >= stage.position)
        before = result[-1].reached if result else None
        result.append(StageStep(stage, reached, _rate(reached, before) if before else None))
    return result


def _not_lost() -> list[str]:
    return [outcome for outcome in Stage.Outcome.values if outcome != Stage.Outcome.LOST]


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds() / 86_400, 0.0)


def _median(values: list[float | None] | None) -> float | None:
    present = [value for value in values or [] if value is not None]
    return round(statistics.median(present), 1) if present else None


def _rate(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None
