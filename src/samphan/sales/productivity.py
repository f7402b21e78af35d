"""Team productivity (C10): what each rep did in a period, with team subtotals and a total.

Five queries whatever the number of reps or records: interactions by user and kind, deals
created by owner, deals closed by owner, first responses to leads by owner, and the reps
themselves. Everything is attributed to a user's current team.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext as _

from samphan.accounts.models import Role, Team, User
from samphan.core.money import to_baht
from samphan.core.periods import Period
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Interaction
from samphan.sales.models import Deal, Lead, Stage

ZERO = Decimal("0.00")
NO_TIME = dt.timedelta(0)
COUNTED_KINDS = {
    Interaction.Kind.CALL: "calls",
    Interaction.Kind.MEETING: "meetings",
    Interaction.Kind.NOTE: "notes",
}
# What counts as answering a lead: contact with the person. A note is not.
RESPONSE_KINDS = [
    Interaction.Kind.CALL,
    Interaction.Kind.EMAIL,
    Interaction.Kind.MEETING,
    Interaction.Kind.VISIT,
    Interaction.Kind.MESSAGE,
]


@dataclass
class Figures:
    """Sums, so that team subtotals and the total add up exactly; averages are derived."""

    calls: int = 0
    meetings: int = 0
    notes: int = 0
    deals_created: int = 0
    deals_won: int = 0
    deals_lost: int = 0
    revenue_won: Decimal = ZERO
    cycle_total: dt.timedelta = NO_TIME  # over won deals: closed_at - created_at
    leads_assigned: int = 0
    leads_answered: int = 0
    response_total: dt.timedelta = NO_TIME  # over answered leads

    def add(self, other: "Figures") -> None:
        for name in (figure.name for figure in fields(Figures)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def win_rate(self) -> float | None:
        """Won as a percentage of the deals closed (won or lost) in the period."""
        closed = self.deals_won + self.deals_lost
        return round(100 * self.deals_won / closed, 1) if closed else None

    @property
    def avg_cycle_days(self) -> float | None:
        if not self.deals_won:
            return None
        return round(self.cycle_total.total_seconds() / 86_400 / self.deals_won, 1)

    @property
    def avg_first_response_hours(self) -> float | None:
        if not self.leads_answered:
            return None
        return round(self.response_total.total_seconds() / 3_600 / self.leads_answered, 1)

    @property
    def is_empty(self) -> bool:
        return self == Figures()


@dataclass
class RepRow(Figures):
    user_id: int = 0
    name: str = ""
    team_id: int | None = None
    team_name: str = ""
    revenue_share: int = 0  # percent of the best rep's revenue won, for the bar


@dataclass
class TeamGroup:
    team_id: int | None
    name: str
    reps: list[RepRow]
    subtotal: Figures = field(default_factory=Figures)


@dataclass
class Productivity:
    period: Period
    teams: list[TeamGroup]
    total: Figures

    @property
    def reps(self) -> list[RepRow]:
        return [rep for team in self.teams for rep in team.reps]


# Sort keys (``?sort=calls``, ``?sort=-calls``): the rep's name, or one figure.
SORTS: dict[str, Callable[[Any], Any]] = {
    "rep": lambda row: row.name.casefold(),
    "calls": lambda row: row.calls,
    "meetings": lambda row: row.meetings,
    "notes": lambda row: row.notes,
    "created": lambda row: row.deals_created,
    "won": lambda row: row.deals_won,
    "lost": lambda row: row.deals_lost,
    "win_rate": lambda row: row.win_rate,
    "revenue": lambda row: row.revenue_won,
    "cycle": lambda row: row.avg_cycle_days,
    "response": lambda row: row.avg_first_response_hours,
}
DEFAULT_SORT = "-revenue"


def team_productivity(
    user: User, since: dt.date, until: dt.date, team: int | None = None, sort: str = DEFAULT_SORT
) -> Productivity:
    """Per rep and team for the local days ``since`` to ``until`` (inclusive).

    Someone who sees all records sees every rep; a user limited to own and team records sees
    their team's reps (only themselves without a team). ``team`` narrows to one team.
    """
    period = Period(since, until)
    scope = _scope(user, team)
    by_rep: dict[int, RepRow] = {}

    def row(user_id: int) -> RepRow:
        return by_rep.setdefault(user_id, RepRow(user_id=user_id))

    for found in _interactions(period, scope):
        attribute = COUNTED_KINDS[found["kind"]]
        setattr(row(found["user_id"]), attribute, found["count"])
    for found in _deals_created(period, scope):
        row(found["owner_id"]).deals_created = found["count"]
    for found in _deals_closed(period, scope):
        rep = row(found["owner_id"])
        rep.deals_won, rep.deals_lost = found["won"], found["lost"]
        rep.revenue_won = to_baht(found["revenue"] or ZERO)  # SQLite drops the places
        rep.cycle_total = found["cycle"] or NO_TIME
    for found in _first_responses(period, scope):
        rep = row(found["owner_id"])
        rep.leads_assigned, rep.leads_answered = found["assigned"], found["answered"]
        rep.response_total = found["wait"] or NO_TIME
    reps = []
    for member in _reps(scope, by_rep.keys()):
        rep = row(member.pk)
        rep.name = member.get_full_name() or member.username
        rep.team_id = member.team_id
        rep.team_name = member.team.name if member.team else ""
        reps.append(rep)
    return _assemble(period, reps, sort)


def teams_for(user: User) -> QuerySet[Team]:
    """The teams whose figures the user may see, for the team filter."""
    if sees_all_records(user):
        return Team.objects.order_by("name")
    # A user in no team gets an empty list (pk=None matches no row), as before.
    return Team.objects.filter(pk=user.team_id)  # type: ignore[misc]  # the null team id


# -- The queries ------------------------------------------------------------------------------

Scope = Sequence[tuple[str, int]]


def _scope(user: User, team: int | None) -> Scope:
    """Conditions on the rep (a user), joined by AND: ``("team_id", 3)``, ``("pk", 7)``."""
    conditions: list[tuple[str, int]] = [("team_id", team)] if team else []
    if not sees_all_records(user):
        conditions.append(("team_id", user.team_id) if user.team_id else ("pk", user.pk))
    return conditions


def _reps_q(scope: Scope, prefix: str) -> Q:
    condition = Q()
    for lookup, value in scope:
        condition &= Q(**{f"{prefix}{lookup}": value})
    return condition


def _within(name: str, period: Period) -> Q:
    return Q(**{f"{name}__gte": period.start, f"{name}__lt": period.end})


def _elapsed(later: F, earlier: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(later - F(earlier), output_field=DurationField())


def _interactions(period: Period, scope: Scope) -> Iterable[Mapping[str, Any]]:
    return (
        Interaction.objects.filter(_within("occurred_at", period), _reps_q(scope, "user__"))
        .filter(kind__in=list(COUNTED_KINDS), user__isnull=False)
        .values("user_id", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )


def _deals_created(period: Period, scope: Scope) -> Iterable[Mapping[str, Any]]:
    return (
        Deal.objects.filter(_within("created_at", period), _reps_q(scope, "owner__"))
        .filter(owner__isnull=False)
        .values("owner_id")
        .annotate(count=Count("id"))
        .order_by()
    )


def _deals_closed(period: Period, scope: Scope) -> Iterable[Mapping[str, Any]]:
    won = Q(stage__outcome=Stage.Outcome.WON)
    return (
        Deal.objects.filter(_within("closed_at", period), _reps_q(scope, "owner__"))
        .filter(owner__isnull=False, stage__outcome__in=[Stage.Outcome.WON, Stage.Outcome.LOST])
        .values("owner_id")
        .annotate(
            won=Count("id", filter=won),
            lost=Count("id", filter=Q(stage__outcome=Stage.Outcome.LOST)),
            revenue=Sum("amount", filter=won),
            cycle=Sum(_elapsed(F("closed_at"), "created_at"), filter=won),
        )
        .order_by()
    )


def _first_responses(period: Period, scope: Scope) -> Iterable[Mapping[str, Any]]:
    """For each lead assigned in the period, the wait from its creation to the owner's first
    contact with its customer (a correlated MIN), summed per owner with how many had one.
    The subquery appears twice in the SQL; each run is one probe of the (customer,
    occurred_at) index, so it stays cheap."""
    first_contact = (
        Interaction.objects.filter(
            customer_id=OuterRef("customer_id"),
            user_id=OuterRef("owner_id"),
            occurred_at__gte=OuterRef("created_at"),
            kind__in=RESPONSE_KINDS,
        )
        .order_by()
        .values("customer_id")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    return (
        Lead.objects.filter(_within("assigned_at", period), _reps_q(scope, "owner__"))
        .filter(owner__isnull=False)
        .annotate(first_contact=Subquery(first_contact))
        .values("owner_id")
        .annotate(
            assigned=Count("id"),
            answered=Count("first_contact"),
            wait=Sum(_elapsed(F("first_contact"), "created_at")),
        )
        .order_by()
    )


def _reps(scope: Scope, active_ids: Iterable[int]) -> QuerySet[User]:
    """Everyone with figures in the period, and active sales staff even without any."""
    listed = Q(pk__in=list(active_ids)) | Q(is_active=True, groups__name=Role.SALES)
    return User.objects.filter(listed, _reps_q(scope, "")).select_related("team").distinct()


# -- Shaping ----------------------------------------------------------------------------------


def _assemble(period: Period, reps: list[RepRow], sort: str) -> Productivity:
    best = max((rep.revenue_won for rep in reps), default=ZERO)
    groups: dict[int | None, TeamGroup] = {}
    total = Figures()
    for rep in reps:
        if best > 0:
            rep.revenue_share = int(rep.revenue_won * 100 / best)
        group = groups.setdefault(
            rep.team_id, TeamGroup(rep.team_id, rep.team_name or _("No team"), [])
        )
        group.reps.append(rep)
        group.subtotal.add(rep)
        total.add(rep)
    return Productivity(period, _sorted_teams(list(groups.values()), sort), total)


def _sorted_teams(teams: list[TeamGroup], sort: str) -> list[TeamGroup]:
    """Reps sorted within their team, teams by their subtotal (by name for ``rep``); a
    missing average (no deal won, no lead answered) always goes last."""
    descending = sort.startswith("-")
    key = SORTS.get(sort.removeprefix("-"), SORTS["revenue"])

    def ordered(items: list[Any], value: Callable[[Any], Any]) -> list[Any]:
        present = sorted(
            (item for item in items if value(item) is not None), key=value, reverse=descending
        )
        return present + [item for item in items if value(item) is None]

    for team in teams:
        team.reps = ordered(sorted(team.reps, key=SORTS["rep"]), key)
    if sort.removeprefix("-") == "rep":
        return ordered(teams, lambda team: team.name.casefold())
    return ordered(sorted(teams, key=lambda team: team.name.casefold()), lambda t: key(t.subtotal))
