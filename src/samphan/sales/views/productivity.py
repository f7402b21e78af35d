"""Team productivity: the report page, its sortable table and its CSV export."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samphan.core import exports
from samphan.core.http import Request
from samphan.core.permissions import require_perm, sees_all_records
from samphan.sales import productivity
from samphan.sales.forms import ProductivityForm


@dataclass(frozen=True)
class Column:
    key: str  # the sort key, as in productivity.SORTS
    label: Promise
    numeric: bool = True


COLUMNS = [
    Column("rep", gettext_lazy("Rep"), numeric=False),
    Column("calls", gettext_lazy("Calls")),
    Column("meetings", gettext_lazy("Meetings")),
    Column("notes", gettext_lazy("Notes")),
    Column("created", gettext_lazy("Deals created")),
    Column("won", gettext_lazy("Won")),
    Column("lost", gettext_lazy("Lost")),
    Column("win_rate", gettext_lazy("Win rate (%)")),
    Column("revenue", gettext_lazy("Revenue won")),
    Column("cycle", gettext_lazy("Avg. sales cycle (days)")),
    Column("response", gettext_lazy("Avg. first response (hours)")),
]


def _sort(raw: str) -> str:
    return raw if raw.removeprefix("-") in productivity.SORTS else productivity.DEFAULT_SORT


def _headers(sort: str) -> list[dict[str, Any]]:
    """Each column with the sort its header link asks for: descending first for figures,
    A to Z first for names; clicking the current column again reverses it."""
    headers = []
    for column in COLUMNS:
        first = f"-{column.key}" if column.numeric else column.key
        second = column.key if column.numeric else f"-{column.key}"
        state = {f"-{column.key}": "descending", column.key: "ascending"}.get(sort, "")
        link = second if sort == first else first
        headers.append({"column": column, "sort": link, "state": state})
    return headers


@login_required
def productivity_report(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_deal")
    teams = list(productivity.teams_for(request.user))
    form = ProductivityForm(request.GET, teams=teams)
    sort = _sort(request.GET.get("sort", ""))
    report = None
    if form.is_valid():
        period = form.chosen_period(timezone.localdate())
        team = form.cleaned_data["team"]
        report = productivity.team_productivity(
            request.user, period.since, period.until, team, sort=sort
        )
        if request.GET.get("format") == "csv":
            return _csv(report)
    context = {
        "form": form,
        "report": report,
        "headers": _headers(sort),
        "sort": sort,
        "whole_company": sees_all_records(request.user),
    }
    htmx = request.htmx
    template = "sales/productivity.html#report" if htmx else "sales/productivity.html"
    return render(request, template, context)


def _csv(report: productivity.Productivity) -> HttpResponse:
    """The table as shown, UTF-8 with a byte-order mark so Excel reads the Thai."""
    period = report.period
    name = f"productivity-{period.since:%Y%m%d}-{period.until:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    rows: list[list[Any]] = [
        [str(COLUMNS[0].label), _("Team"), *(str(c.label) for c in COLUMNS[1:])]
    ]
    for team in report.teams:
        rows.extend([rep.name, team.name, *_figures(rep)] for rep in team.reps)
        rows.append([_("Team total"), team.name, *_figures(team.subtotal)])
    rows.append([_("Total"), "", *_figures(report.total)])
    response.write(exports.csv_text(rows))
    return response


def _figures(row: productivity.Figures) -> list[Any]:
    averages = (row.win_rate, row.revenue_won, row.avg_cycle_days, row.avg_first_response_hours)
    counts = (row.calls, row.meetings, row.notes, row.deals_created, row.deals_won, row.deals_lost)
    return [*counts, *("" if value is None else value for value in averages)]
