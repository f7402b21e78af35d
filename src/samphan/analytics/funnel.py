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
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Coalesce, Greatest, RowNumber

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
    leads = _leads(user, period).annotate(
        first_order=F("customer__marks__first_at"), second_order=F("customer__marks__second_at")
    )
    converted = Q(status=Lead.Status.CONVERTED)
    # A purchase counts from the lead's arrival on (a repeat customer's new enquiry is
    # measured on what it led to, not on old orders).
    bought = converted & Q(first_order__gte=F("created_at"))
    again = bought & Q(second_order__isnull=False)
    counts = leads.aggregate(
        leads=Count("id"),
        converted=Count("id", filter=converted),
        bought=Count("id", filter=bought),
        repeat=Count("id", filter=again),
    )
    gaps = {
        "converted": _median_days(leads.filter(converted), _gap("closed_at", F("created_at"))),
        "bought": _median_days(
            leads.filter(bought), _gap("first_order", Coalesce("closed_at", "created_at"))
        ),
        "repeat": _median_days(leads.filter(again), _gap("second_order", F("first_order"))),
    }
    result: list[Step] = []
    for key in ("leads", "converted", "bought", "repeat"):
        before = result[-1].count if result else None
        result.append(
            Step(
                key=key,
                count=counts[key],
                rate=_rate(counts[key], before) if before is not None else None,
                overall=_rate(counts[key], counts["leads"]) if result else None,
                median_days=gaps.get(key, {}).get(""),
            )
        )
    return result


def by_source(user: User, period: Period, field: str = "source") -> list[Breakdown]:
    """The same cohort per lead source (or campaign), most leads first."""
    if field not in ("source", "campaign"):
        raise ValueError(field)
    # Paid orders from the lead's arrival on: one if the customer's last came after it,
    # two if their second-to-last did (the marks' moments, not a count over orders).
    converted = Q(status=Lead.Status.CONVERTED)
    rows = (
        _leads(user, period)
        .values(group=Coalesce(field, Value("")))
        .annotate(
            leads=Count("id"),
            converted=Count("id", filter=converted),
            bought=Count("id", filter=converted & Q(customer__marks__last_at__gte=F("created_at"))),
            repeat=Count(
                "id", filter=converted & Q(customer__marks__penult_at__gte=F("created_at"))
            ),
        )
        .order_by()
    )
    return sorted(
        (
            Breakdown(row["group"], row["leads"], row["converted"], row["bought"], row["repeat"])
            for row in rows
        ),
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
    second purchases (the first moment after the first); most customers first. Counted
    by the database from the purchase marks (one row per customer), never from the orders."""
    firsts = PurchaseMarks.objects.visible_to(user).filter(
        first_at__gte=period.start, first_at__lt=period.end
    )
    counts = (
        firsts.values("first_channel")
        .annotate(new=Count("customer_id"), repeat=Count("repeat_seconds"))
        .order_by()
    )
    medians = _median_days(firsts, F("repeat_seconds"), by="first_channel")
    cohorts = [
        ChannelCohort(
            channel=row["first_channel"],
            new=row["new"],
            repeat=row["repeat"],
            median_days=medians.get(row["first_channel"]),
        )
        for row in counts
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
    lowest = min((stage.position for stage in stages), default=0)
    furthest_moved = (
        DealStageChange.objects.filter(deal=OuterRef("pk"), to_stage__outcome__in=_not_lost())
        .values("deal")
        .annotate(position=Max("to_stage__position"))
        .values("position")
    )
    now_at = Case(When(stage__outcome=Stage.Outcome.LOST, then=None), default=F("stage__position"))
    # The higher of the two, either alone, or the first stage for a deal lost from it (on
    # SQLite GREATEST of a NULL is NULL, hence the COALESCEs).
    moved, now = Subquery(furthest_moved), now_at
    reached_at = Greatest(Coalesce(moved, now, Value(lowest)), Coalesce(now, moved, Value(lowest)))
    per_position = dict(
        Deal.objects.visible_to(user)
        .filter(pipeline=pipeline, created_at__gte=period.start, created_at__lt=period.end)
        .values(reached=reached_at)
        .annotate(deals=Count("id"))
        .order_by()
        .values_list("reached", "deals")
    )
    result: list[StageStep] = []
    for stage in stages:
        reached = sum(n for position, n in per_position.items() if position >= stage.position)
        before = result[-1].reached if result else None
        result.append(StageStep(stage, reached, _rate(reached, before) if before else None))
    return result


def _not_lost() -> list[str]:
    return [outcome for outcome in Stage.Outcome.values if outcome != Stage.Outcome.LOST]


def _gap(end: str, start: Combinable) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(end) - start, output_field=DurationField())


def _median_days(rows: QuerySet[Any], gap: Combinable, by: str | None = None) -> dict[str, float]:
    """The median gap in days (negative gaps count as 0) over ``rows``, per ``by`` (one key,
    "", without it), rounded to a tenth. The database ranks the gaps and sends each group's
    one or two middle ones: at a million customers a period holds some 200,000 first
    purchases, too many to read into Python for a median."""
    partition = [F(by)] if by else None
    middle = (
        rows.annotate(gap=gap)
        .filter(gap__isnull=False)
        .annotate(
            place=Window(RowNumber(), partition_by=partition, order_by=F("gap").asc()),
            size=Window(Count("*"), partition_by=partition),
        )
        # The middle row, or the two middle rows of an even count (integer division).
        .filter(place__gte=(F("size") + 1) / 2, place__lte=(F("size") + 2) / 2)
        .values_list(by or Value(""), "gap")
    )
    groups: dict[str, list[float]] = {}
    for key, value in middle:
        seconds = value.total_seconds() if isinstance(value, dt.timedelta) else value
        groups.setdefault(key, []).append(max(seconds / 86_400, 0.0))
    return {key: round(statistics.mean(values), 1) for key, values in groups.items()}


def _rate(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None
