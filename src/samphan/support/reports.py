"""Support's reports for a period: tickets opened by channel, category or team, how fast
they were answered and solved against the promises (SLAs), the backlog day by day, and
satisfaction week by week, recommendation (NPS) by tier, month and campaign. Rows the page, CSV and XLSX share (``analytics.reports``).

A ticket counts in the period it was opened; its first response and resolution are
measured in clock time (the promises were counted in working time: the "within
promise" shares say whether each was met)."""

import datetime as dt
import statistics
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.accounts.models import User
from samphan.analytics.reports import Column, Report
from samphan.core.dates import format_date, format_month
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.marketing.models import Campaign
from samphan.support import nps
from samphan.support.models import Survey, Ticket

GROUPS: dict[str, Promise] = {
    "channel": _("Tickets by channel"),
    "category": _("Tickets by category"),
    "team": _("Tickets by team"),
}
COLUMNS = [
    Column("opened", pgettext_lazy("tickets", "Opened"), "count"),
    Column("solved", _("Solved"), "count"),
    Column("first_response_hours", _("First response, median hours"), "count"),
    Column("first_response_met", _("First response within promise"), "rate"),
    Column("resolution_hours", _("Resolution, median hours"), "count"),
    Column("resolution_met", _("Resolved within promise"), "rate"),
]


def _label(group: str, value: Any) -> str:
    """A row's name: a channel's in the reader's language, else the category's or team's."""
    if group == "channel" and value in Ticket.Channel.values:
        return str(Ticket.Channel(value).label)
    return str(value) if value else str(_("(none)"))


def tickets_of(user: User, period: Period) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )


def _median_hours(spans: list[dt.timedelta]) -> float | None:
    if not spans:
        return None
    return round(statistics.median(span.total_seconds() for span in spans) / 3600, 1)


def _share(met: int, of: int) -> float | None:
    return met / of if of else None


def grouped_report(user: User, period: Period, group: str) -> Report:
    """One row per channel, category or team: the tickets opened, solved, and the median
    time to the first response and to the resolution, with the share within promise."""
    field = {"channel": "channel", "category": "category__name", "team": "team__name"}[group]
    rows: dict[Any, dict[str, Any]] = {}
    found = tickets_of(user, period).values_list(
        field, "created_at", "first_responded_at", "first_response_due", "solved_at",
        "resolution_due",
    )  # fmt: skip
    for key, created, responded, response_due, solved, resolution_due in found.iterator():
        row = rows.setdefault(key, {"spans": [], "met": 0, "answered": 0, "fix": [], "fixed": 0})
        row["opened"] = row.get("opened", 0) + 1
        if responded is not None:
            row["spans"].append(responded - created)
            row["answered"] += 1
            row["met"] += response_due is None or responded <= response_due
        if solved is not None:
            row["fix"].append(solved - created)
            row["fixed"] += resolution_due is None or solved <= resolution_due
    table = [
        {
            "label": _label(group, key),
            "opened": row["opened"],
            "solved": len(row["fix"]),
            "first_response_hours": _median_hours(row["spans"]),
            "first_response_met": _share(row["met"], row["answered"]),
            "resolution_hours": _median_hours(row["fix"]),
            "resolution_met": _share(row["fixed"], len(row["fix"])),
        }
        for key, row in rows.items()
    ]
    table.sort(key=lambda row: (-row["opened"], row["label"]))
    label = {"channel": _("Channel"), "category": _("Category"), "team": _("Team")}[group]
    total = None
    if table:
        every = [span for row in rows.values() for span in row["spans"]]
        fixes = [span for row in rows.values() for span in row["fix"]]
        total = {
            "label": _("Total"),
            "opened": sum(row["opened"] for row in rows.values()),
            "solved": len(fixes),
            "first_response_hours": _median_hours(every),
            "first_response_met": _share(sum(row["met"] for row in rows.values()), len(every)),
            "resolution_hours": _median_hours(fixes),
            "resolution_met": _share(sum(row["fixed"] for row in rows.values()), len(fixes)),
        }
    return Report(group, GROUPS[group], [Column("label", label), *COLUMNS], table, total)


def backlog(user: User, period: Period) -> list[tuple[dt.date, int]]:
    """Open tickets at the end of each day of the period (opened by then, not yet solved):
    the opened and solved counts per day, added up from the backlog before the period."""
    tickets = Ticket.objects.visible_to(user)
    start, end = period.start, period.end
    before = (
        tickets.filter(created_at__lt=start)
        .filter(Q(solved_at__isnull=True) | Q(solved_at__gte=start))
        .count()
    )
    opened = dict(
        tickets.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    solved = dict(
        tickets.filter(solved_at__gte=start, solved_at__lt=end)
        .annotate(day=TruncDate("solved_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    series, running, day = [], before, period.since
    while day <= period.until:
        running += opened.get(day, 0) - solved.get(day, 0)
        series.append((day, running))
        day += dt.timedelta(days=1)
    return series


def _answers(
    user: User, period: Period, kind: str, customers: QuerySet[Customer] | None
) -> QuerySet[Survey]:
    """The period's answers of ``kind`` this user may see, of ``customers`` (None: all)."""
    answers = Survey.objects.visible_to(user).filter(
        kind=kind, answered_at__gte=period.start, answered_at__lt=period.end
    )
    return answers if customers is None else answers.filter(customer__in=customers)


def satisfaction_by_week(
    user: User, period: Period, customers: QuerySet[Customer] | None = None
) -> list[dict[str, Any]]:
    """Each week's satisfaction answers: how many, the average score, the share satisfied
    (4 or 5 of 5)."""
    answers = (
        _answers(user, period, Survey.Kind.CSAT, customers)
        .annotate(day=TruncDate("answered_at"))
        .values_list("day", "score")
    )
    weeks: dict[dt.date, list[int]] = {}
    for day, score in answers:
        if score is not None:
            weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append(score)
    return [
        {
            "week": week,
            "answers": len(scores),
            "average": round(sum(scores) / len(scores), 2),
            "satisfied": sum(score >= 4 for score in scores) / len(scores),
        }
        for week, scores in sorted(weeks.items())
    ]


def recommendation(
    user: User, period: Period, customers: QuerySet[Customer] | None = None
) -> dict[str, Any]:
    """The period's 0-10 answers: the NPS with its interval; by tier, month and campaign
    as rows of (name, ``Nps``, link or None); the latest comments."""
    answers = _answers(user, period, Survey.Kind.NPS, customers)
    rows = [  # every answer once: (tier, month, campaign, score)
        (tier, month, campaign, score)
        for tier, month, campaign, score in answers.annotate(
            month=TruncMonth("answered_at")
        ).values_list("customer__tier", "month", "campaign", "score")
        if score is not None
    ]
    by_campaign = nps.nps_by((campaign, score) for _t, _m, campaign, score in rows if campaign)
    names = dict(
        Campaign.objects.filter(pk__in=[pk for pk, _found in by_campaign]).values_list("pk", "name")
    )
    tiers = dict(Customer.Tier.choices)
    return {
        "nps": nps.nps_of([score for *_key, score in rows]),
        "nps_by_tier": [
            (tiers.get(tier, tier), found, None)
            for tier, found in nps.nps_by((tier, score) for tier, _m, _c, score in rows)
        ],
        "nps_by_month": [
            (format_month(month), found, None)
            for month, found in sorted(nps.nps_by((month, score) for _t, month, _c, score in rows))
        ],
        "nps_by_campaign": [
            (names.get(pk, ""), found, reverse("campaign_detail", args=[pk]))
            for pk, found in by_campaign
        ],
        "nps_comments": list(
            answers.exclude(comment="").select_related("customer").order_by("-answered_at")[:10]
        ),
    }


def satisfaction_report(weeks: list[dict[str, Any]]) -> Report:
    """Satisfaction by week as a table to download."""
    columns = [
        Column("label", _("Week of")),
        Column("answers", _("Answers"), "count"),
        Column("average", _("Average (of 5)"), "count"),
        Column("satisfied", _("Satisfied (4-5)"), "rate"),
    ]
    rows = [{**week, "label": format_date(week["week"])} for week in weeks]
    return Report("satisfaction", _("Satisfaction by week"), columns, rows, None)


def nps_report(by_month: list[tuple[str, nps.Nps, Any]]) -> Report:
    """Recommendation by month as a table to download."""
    columns = [
        Column("label", _("Month")),
        Column("answers", _("Answers"), "count"),
        Column("promoters", _("Promoters (9-10)"), "count"),
        Column("passives", _("Passives (7-8)"), "count"),
        Column("detractors", _("Detractors (0-6)"), "count"),
        Column("score", "NPS", "count"),  # type: ignore[arg-type]  # a name, not translated
        Column("margin", _("± 95%"), "count"),
    ]
    rows = [
        {
            "label": month, "answers": found.answers, "promoters": found.promoters,
            "passives": found.passives, "detractors": found.detractors,
            "score": _rounded(found.score), "margin": _rounded(found.margin),
        }
        for month, found, _url in by_month
    ]  # fmt: skip
    return Report("nps", _("Recommendation (NPS) by month"), columns, rows, None)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def nps_chart(by_month: list[tuple[str, nps.Nps, Any]]) -> dict[str, Any]:
    """NPS month by month, its 95% interval as a band (the lower bound, then the band's
    height stacked on it; a month under 10 answers has none)."""
    scores = [found.score or 0 for _month, found, _url in by_month]  # none: no answer
    margins = [found.margin or 0 for _month, found, _url in by_month]
    hidden = {"opacity": 0}
    return {
        "color": ["#0f766e"],
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 32},
        "tooltip": {"trigger": "item", "renderMode": "richText"},
        "xAxis": {"type": "category", "data": [month for month, _found, _url in by_month]},
        "yAxis": {"type": "value", "min": -100, "max": 100},
        "series": [
            {
                "type": "line", "stack": "interval", "symbol": "none", "lineStyle": hidden,
                "silent": True, "data": [round(s - m, 1) for s, m in zip(scores, margins, strict=True)],
            },
            {
                "type": "line", "stack": "interval", "symbol": "none", "lineStyle": hidden,
                "silent": True, "areaStyle": {"opacity": 0.15},
                "data": [round(2 * m, 1) for m in margins],
            },
            {"type": "line", "name": "NPS", "data": [round(s) for s in scores]},
        ],
    }  # fmt: skip


def satisfaction_chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """The share satisfied week by week, in per cent."""
    return {
        "color": ["#0f766e"],
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 32},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "xAxis": {"type": "category", "data": [w["week"].strftime("%d/%m") for w in weeks]},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [{"type": "line", "data": [round(100 * w["satisfied"]) for w in weeks]}],
    }


def backlog_chart(series: list[tuple[dt.date, int]]) -> dict[str, Any]:
    return {
        "color": ["#0f766e"],
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 32},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "xAxis": {"type": "category", "data": [day.strftime("%d/%m") for day, _n in series]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "data": [n for _day, n in series], "areaStyle": {"opacity": 0.15}}
        ],
    }
