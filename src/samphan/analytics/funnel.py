"""The lifecycle funnel (C24) and the pipeline's stage-to-stage conversion (C16).

The lifecycle funnel follows the leads that arrived in a period, as a cohort: how many
were converted (became a prospect or customer), how many of those bought, how many bought
again, and the median time each step took. The pipeline funnel follows the deals created
in the period: how many reached each stage (a deal that skipped a stage counts as having
passed it), and what share of those at one stage reached the next. Per sales channel, the
customers who first bought in the period, by the channel of that first purchase: how many
bought again, and how long it took (channels belong to orders, not to leads).

``report`` gives the whole report. A preset period comes from a snapshot the worker keeps
fresh (``analytics.snapshots``), like the dashboard: at a million customers counting it
takes PostgreSQL 0.3 s, and 0.7 s for a sales rep, whose records are a team's share
scattered through the tables. Everyone who sees every record shares one; a user limited
to their own and team's records has their own. Custom dates are counted live.
"""

import datetime as dt
import operator
import statistics
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    Count,
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
from django.db.models.functions import Coalesce, Floor, Greatest, RowNumber
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics import snapshots
from samphan.analytics.models import PurchaseMarks
from samphan.core.periods import CUSTOM, Period, preset_period
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer
from samphan.sales.models import Deal, DealStageChange, Lead, Pipeline, Stage

SECONDS_A_DAY = 86_400


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
    """Leads → converted → bought → bought again, for the leads of the period.

    The database counts the leads; only the converted ones (a fifth) are read with their
    customer's purchase marks, for the later steps and the medians: joining every lead
    of a period (40,000 in 90 days at a million customers) to the marks was the cost."""
    leads = _leads(user, period)
    counts = leads.aggregate(
        leads=Count("id"), converted=Count("id", filter=Q(status=Lead.Status.CONVERTED))
    )
    converted = list(
        leads.filter(status=Lead.Status.CONVERTED)
        .values_list(
            "created_at", "closed_at", "customer__marks__first_at", "customer__marks__second_at"
        )
        .order_by()
    )
    # A purchase counts from the lead's arrival on (a repeat customer's new enquiry is
    # measured on what it led to, not on old orders).
    bought = [row for row in converted if row[2] and row[2] >= row[0]]
    again = [row for row in bought if row[3]]
    steps = [
        ("leads", counts["leads"], None),
        ("converted", counts["converted"], [_days(row[0], row[1]) for row in converted]),
        ("bought", len(bought), [_days(row[1] or row[0], row[2]) for row in bought]),
        ("repeat", len(again), [_days(row[2], row[3]) for row in again]),
    ]
    result: list[Step] = []
    for key, count, gaps in steps:
        before = result[-1].count if result else None
        result.append(
            Step(
                key=key,
                count=count,
                rate=_rate(count, before) if before is not None else None,
                overall=_rate(count, counts["leads"]) if result else None,
                median_days=_median(gaps),
            )
        )
    return result


def by_source(user: User, period: Period, field: str = "source") -> list[Breakdown]:
    """The same cohort per lead source (or campaign), most leads first."""
    if field not in ("source", "campaign"):
        raise ValueError(field)
    leads = _leads(user, period)
    group = Coalesce(field, Value(""))
    counts = (
        leads.values(group=group)
        .annotate(leads=Count("id"), converted=Count("id", filter=Q(status=Lead.Status.CONVERTED)))
        .order_by()
    )
    # Paid orders from the lead's arrival on: one if the customer's last came after it,
    # two if their second-to-last did (the marks' moments, not a count over orders); read
    # for the converted leads only.
    bought = {
        row["group"]: (row["bought"], row["repeat"])
        for row in leads.filter(status=Lead.Status.CONVERTED)
        .values(group=group)
        .annotate(
            bought=Count("id", filter=Q(customer__marks__last_at__gte=F("created_at"))),
            repeat=Count("id", filter=Q(customer__marks__penult_at__gte=F("created_at"))),
        )
        .order_by()
    }
    rows = [
        Breakdown(
            row["group"],
            row["leads"],
            row["converted"],
            *bought.get(row["group"], (0, 0)),
        )
        for row in counts
    ]
    return sorted(rows, key=lambda item: (-item.leads, item.value))


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
    by the database from the purchase marks (one row per customer), never from the orders.

    At a million customers a 90-day period holds some 175,000 first purchases: ranking them
    all for a median took PostgreSQL half a second. So the database counts them per channel
    and whole day of the gap (one pass, no sort); then it ranks the rows of the one or two
    days that hold each channel's middle and sends only the middle values (exact)."""
    firsts = PurchaseMarks.objects.visible_to(user).filter(
        first_at__gte=period.start, first_at__lt=period.end
    )
    day = Floor(F("repeat_seconds") / SECONDS_A_DAY)
    histogram: dict[str, dict[int | None, int]] = {}
    for channel, gap_day, count in (
        firsts.values("first_channel", gap_day=day)
        .annotate(count=Count("*"))
        .order_by()
        .values_list("first_channel", "gap_day", "count")
    ):
        histogram.setdefault(channel, {})[None if gap_day is None else int(gap_day)] = count
    middles = {channel: _middle_days(days) for channel, days in histogram.items()}
    # Each middle day's rows ranked by the database; the one or two wanted ranks come back.
    in_day: dict[tuple[str, int], list[int]] = {}
    for channel, found in middles.items():
        for gap_day, place in found:
            in_day.setdefault((channel, gap_day), []).append(place + 1)
    cases = {
        (channel, gap_day): Q(first_channel=channel, gap_day=gap_day) for channel, gap_day in in_day
    }

    def wanted_rank(pick: Callable[[list[int]], int]) -> Case:
        whens = [When(cases[key], then=Value(pick(ranks))) for key, ranks in in_day.items()]
        return Case(*whens, default=Value(0))

    picked: dict[tuple[str, int], dict[int, float]] = {}
    for channel, gap_day, rank, seconds in (
        firsts.annotate(gap_day=day)
        .filter(reduce(operator.or_, cases.values(), Q(pk__in=[])))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("first_channel"), F("gap_day")],
                order_by=F("repeat_seconds").asc(),
            )
        )
        .filter(rank__gte=wanted_rank(min), rank__lte=wanted_rank(max))
        .order_by()
        .values_list("first_channel", "gap_day", "rank", "repeat_seconds")
    ):
        picked.setdefault((channel, int(gap_day)), {})[rank] = seconds or 0.0
    cohorts = []
    for channel, days in histogram.items():
        values = [picked[channel, gap_day][place + 1] for gap_day, place in middles[channel]]
        cohorts.append(
            ChannelCohort(
                channel=channel,
                new=sum(days.values()),
                repeat=sum(count for gap_day, count in days.items() if gap_day is not None),
                median_days=round(statistics.mean(max(v, 0) for v in values) / SECONDS_A_DAY, 1)
                if values
                else None,
            )
        )
    return sorted(cohorts, key=lambda row: (-row.new, row.channel))


def _middle_days(days: dict[int | None, int]) -> list[tuple[int, int]]:
    """Where the middle value (or the two middle values) of a histogram of whole days
    falls: (day, place among that day's values in order), from a count per day."""
    counted = sorted((day, count) for day, count in days.items() if day is not None)
    size = sum(count for _, count in counted)
    result = []
    for rank in sorted({(size - 1) // 2, size // 2}) if size else []:
        for day, count in counted:
            if rank < count:
                result.append((day, rank))
                break
            rank -= count
    return result


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


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds() / 86_400, 0.0)


def _median(values: list[float | None] | None) -> float | None:
    present = [value for value in values or [] if value is not None]
    return round(statistics.median(present), 1) if present else None


def _rate(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Report:
    """The whole funnel report, as the page and the API show it."""

    lifecycle: list[Step]
    sources: list[Breakdown]
    channels: list[ChannelCohort]  # empty for users who may not see orders
    stages: list[StageStep]
    as_of: dt.datetime | None  # a snapshot's moment; None: counted just now


def report(user: User, period: Period, pipeline: Pipeline | None, preset: str | None) -> Report:
    """The funnel of ``period`` (the ``preset`` it is, if any) and ``pipeline``'s stages."""
    if preset and preset != CUSTOM:
        key = f"funnel:{preset}:{pipeline.pk if pipeline else 0}"
        if not sees_all_records(user):
            # Their own: what they see depends on them and their team.
            key += f":{user.pk}:{user.team_id or 0}"
        data, as_of = snapshots.snapshot(key)
        found = _from_data(data, pipeline, as_of)
    else:
        found = _counted(user, period, pipeline)
    if found.channels and not user.has_perm("sales.view_order"):
        return Report(found.lifecycle, found.sources, [], found.stages, found.as_of)
    return found


def _counted(user: User, period: Period, pipeline: Pipeline | None) -> Report:
    sees_orders = user.has_perm("sales.view_order")
    return Report(
        lifecycle=lifecycle(user, period),
        sources=by_source(user, period),
        channels=by_channel(user, period) if sees_orders else [],
        stages=pipeline_funnel(user, pipeline, period) if pipeline else [],
        as_of=None,
    )


def build_snapshot(argument: str) -> dict[str, Any]:
    """The report of a preset period and a pipeline ("last_90:3") for everyone who sees
    all records, or for one user limited to their own and team's ("last_90:3:12:2": user
    12 in team 2), as JSON."""
    preset, pipeline_id, *limited = argument.split(":")
    pipeline = Pipeline.objects.filter(pk=int(pipeline_id or 0)).first()
    period = preset_period(preset, timezone.localdate())
    viewer = snapshots.all_records_user()
    if limited:
        found_user = User.objects.filter(pk=int(limited[0]), is_active=True).first()
        if found_user is None or found_user.team_id != (int(limited[1]) or None):
            # Gone, or moved to another team (their next look asks for another key).
            return {"lifecycle": [], "sources": [], "channels": [], "stages": []}
        viewer = found_user
    found = _counted(viewer, period, pipeline)
    return {
        "lifecycle": [step.__dict__ for step in found.lifecycle],
        "sources": [row.__dict__ for row in found.sources],
        "channels": [row.__dict__ for row in found.channels],
        "stages": [[step.stage.pk, step.reached, step.rate] for step in found.stages],
    }


def _from_data(data: dict[str, Any], pipeline: Pipeline | None, as_of: dt.datetime) -> Report:
    # A stage removed since the snapshot was made is left out; one added shows at the
    # worker's next round (the stages are among the snapshot's sources).
    stages = {stage.pk: stage for stage in pipeline.stages.all()} if pipeline else {}
    return Report(
        lifecycle=[Step(**step) for step in data["lifecycle"]],
        sources=[Breakdown(**row) for row in data["sources"]],
        channels=[ChannelCohort(**row) for row in data["channels"]],
        stages=[
            StageStep(stages[pk], reached, rate)
            for pk, reached, rate in data["stages"]
            if pk in stages
        ],
        as_of=as_of,
    )


RECOUNT_EVERY = 300  # seconds: the longest a snapshot may miss a change the mark misses


def snapshot_sources() -> str:
    """What the funnel reads beyond orders and customers: a new or changed lead (its
    ``updated_at``, indexed), a new deal, a deal moved, a stage added or changed; and the
    five minutes we are in, for the writes that pass by ``updated_at`` (a customer merge
    moves leads in bulk) or delete."""
    latest = Lead.objects.aggregate(pk=Max("pk"), changed=Max("updated_at"))
    moved = DealStageChange.objects.aggregate(pk=Max("pk"))["pk"]
    deal = Deal.objects.aggregate(pk=Max("pk"))["pk"]
    # A handful of rows: their order and outcomes as they are now, in a checksum.
    stages = zlib.crc32(
        repr(list(Stage.objects.order_by("pk").values_list("pk", "position", "outcome"))).encode()
    )
    changed = latest["changed"].timestamp() if latest["changed"] else 0
    window = int(time.time() // RECOUNT_EVERY)
    return f"{latest['pk']}:{changed:.6f}:{deal}:{moved}:{stages}:{window}"


snapshots.BUILDERS["funnel"] = build_snapshot
snapshots.MORE_SOURCES["funnel"] = snapshot_sources
