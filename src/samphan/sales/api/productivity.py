"""/api/v1/reports/productivity: the team productivity report, as on the page."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Schema
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team
from samphan.api.schemas import ERRORS, Id, IsoDate
from samphan.core import periods
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.sales import productivity
from samphan.sales.api.common import router


class ProductivityParams(Schema):
    model_config = ConfigDict(extra="forbid")
    since: IsoDate = Field(description="first day, Asia/Bangkok")
    until: IsoDate = Field(description="last day, included")
    team: Id | None = None


class FiguresOut(Schema):
    calls: int
    meetings: int
    notes: int
    deals_created: int
    deals_won: int
    deals_lost: int
    win_rate: float | None = Field(description="percent of the deals closed that were won")
    revenue_won: Decimal
    avg_cycle_days: float | None = Field(description="created to closed, over deals won")
    leads_assigned: int
    leads_answered: int
    avg_first_response_hours: float | None


class RepOut(FiguresOut):
    user_id: int
    name: str
    team_id: int | None


class TeamOut(FiguresOut):
    team_id: int | None
    name: str
    reps: list[RepOut]


class ProductivityOut(Schema):
    since: dt.date
    until: dt.date
    teams: list[TeamOut]
    total: FiguresOut


def _team_out(team: productivity.TeamGroup) -> dict[str, Any]:
    """A team's subtotal figures beside its id, name and reps."""
    figures = _figures(team.subtotal)
    return {**figures, "team_id": team.team_id, "name": team.name, "reps": team.reps}


def _figures(row: productivity.Figures) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FiguresOut.model_fields}


@router.get("/reports/productivity", response={200: ProductivityOut, **ERRORS})
def productivity_report(request: Request, params: Query[ProductivityParams]) -> Any:
    """Per rep and team for the days `since` to `until`: calls, meetings, notes, deals
    created, won and lost, win rate, revenue won, average sales cycle and first response.
    Users limited to own and team records get their team's reps only."""
    require_perm(request.user, "sales.view_deal")
    errors = periods.period_errors(params.since, params.until)
    if errors:
        raise ValidationError(errors)
    if params.team is not None and not Team.objects.filter(pk=params.team).exists():
        raise ValidationError({"team": f"No team with id {params.team}."})
    report = productivity.team_productivity(
        request.user, params.since, params.until, params.team, sort="rep"
    )
    return {
        "since": params.since,
        "until": params.until,
        "teams": [_team_out(team) for team in report.teams],
        "total": _figures(report.total),
    }
