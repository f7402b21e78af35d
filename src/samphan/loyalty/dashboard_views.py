"""The loyalty dashboard (issue 24): the programme's liability, points by month and members
beside similar non-members, as a page with charts and as CSV and XLSX downloads. Who may
set the programme may read it (the capability of ``views.loyalty_settings``)."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.core import exports
from samphan.core.dates import format_month
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.loyalty.services.dashboard import Dashboard, Estimate, Month, dashboard, two_places
from samphan.loyalty.services.earning import plain

PERMISSION = "loyalty.view_earningrule"  # as the programme's page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBERS_COLOUR, OTHERS_COLOUR = "#0f766e", "#94a3b8"
# Earned up; redeemed, expired and taken back down; adjusted either way.
KINDS = (("earned", "#0f766e"), ("redeemed", "#f59e0b"), ("expired", "#e11d48"),
         ("adjusted", "#6366f1"), ("taken_back", "#64748b"))  # fmt: skip


def kind_labels() -> dict[str, str]:
    return {
        "earned": _("Earned"),
        "redeemed": _("Redeemed"),
        "expired": _("Expired"),
        "adjusted": _("Adjusted"),
        "taken_back": _("Taken back"),
    }


@login_required
def loyalty_dashboard(request: Request) -> HttpResponse:
    require_perm(request.user, PERMISSION)
    figures = dashboard(timezone.localdate())
    comparison = figures.comparison
    context = {
        "figures": figures,
        "liability": figures.liability,
        "point_value": plain(figures.liability.point_value),  # 0.25, 0.125, 1
        # A month and its year kept on one line of the table ("ม.ค.\u00a02569").
        "month_rows": [(format_month(m.month).replace(" ", "\u00a0"), m) for m in figures.months],
        "comparison": comparison,
        "kinds": kind_labels(),
        "months_chart": months_chart(figures.months),
        "revenue_chart": comparison.revenue and estimate_chart(comparison.revenue),
        "orders_chart": comparison.orders and estimate_chart(comparison.orders),
    }
    return render(request, "loyalty/dashboard.html", context)


@login_required
def loyalty_dashboard_csv(request: Request) -> HttpResponse:
    require_perm(request.user, PERMISSION)
    figures = dashboard(timezone.localdate())
    rows = [row for title, table in tables(figures) for row in ([title], *table, [])]
    return _download(exports.csv_text(rows[:-1]), "text/csv; charset=utf-8", figures, "csv")


@login_required
def loyalty_dashboard_xlsx(request: Request) -> HttpResponse:
    """A sheet a table: the months, the liability, the comparison and its bands."""
    require_perm(request.user, PERMISSION)
    figures = dashboard(timezone.localdate())
    book = exports.xlsx_book()
    for title, table in tables(figures):
        exports.xlsx_sheet_write(book, title, table)
    return _download(exports.xlsx_bytes(book), XLSX, figures, "xlsx")


def _download(content: str | bytes, kind: str, figures: Dashboard, suffix: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    name = f"samphan-loyalty-{figures.today:%Y%m%d}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The downloads' tables ----------------------------------------------------------------


def tables(figures: Dashboard) -> list[tuple[str, list[Sequence[Any]]]]:
    """(title, rows with a header first) of each table the downloads hold."""
    return [
        (_("Points by month"), months_table(figures.months)),
        (_("Liability"), liability_table(figures)),
        (_("Members and non-members"), comparison_table(figures)),
        (_("Spend bands"), bands_table(figures)),
    ]


def months_table(months: list[Month]) -> list[Sequence[Any]]:
    labels = kind_labels()
    header = [_("Month"), *(labels[field] for field, _colour in KINDS), _("Net")]
    return [
        header,
        *([month.month, *(getattr(month, f) for f, _c in KINDS), month.net] for month in months),
    ]


def liability_table(figures: Dashboard) -> list[Sequence[Any]]:
    held = figures.liability
    return [
        [_("Figure"), _("Value")],
        [_("Points outstanding"), held.points],
        [_("Members holding points"), held.members],
        [_("A point is worth (฿)"), held.point_value],
        [_("Liability (฿)"), held.baht],
        [_("Points expiring before"), held.expiring_before],
        [_("Points expiring"), held.expiring_points],
        [_("Worth of the points expiring (฿)"), held.expiring_baht],
    ]


def comparison_table(figures: Dashboard) -> list[Sequence[Any]]:
    found = figures.comparison
    header = [_("Measure"), _("Members"), _("Similar non-members"), _("Difference"),
              _("95% interval from"), _("95% interval to"), _("Standard error")]  # fmt: skip
    rows: list[Sequence[Any]] = [header]
    for label, estimate in ((_("Revenue per customer (฿)"), found.revenue),
                            (_("Orders per customer"), found.orders)):  # fmt: skip
        if estimate:
            rows.append([label, estimate.members, estimate.others, estimate.difference,
                         estimate.low, estimate.high, estimate.error])  # fmt: skip
    return [
        *rows,
        [],
        [_("Members compared"), found.members],
        [_("Non-members compared"), found.others],
        [_("Members left out"), found.members_left_out],
        [_("Non-members left out"), found.others_left_out],
        [_("Months compared"), found.window.since, found.window.until],
        [_("Spend before"), found.before.since, found.before.until],
    ]


def bands_table(figures: Dashboard) -> list[Sequence[Any]]:
    header = [_("Kind"), _("Spend before from (฿)"), _("Spend before to (฿)"), _("Members"),
              _("Non-members"), _("Members' revenue (฿)"), _("Non-members' revenue (฿)"),
              _("Members' orders"), _("Non-members' orders")]  # fmt: skip
    rows: list[Sequence[Any]] = [header]
    for band in figures.comparison.bands:
        means: list[Any] = ["", "", "", ""]
        if band.revenue and band.orders:
            means = [two_places(s.mean) for s in (*band.revenue, *band.orders)]
        kind = _("Companies") if band.company else _("People")
        rows.append([kind, band.low, band.high, band.members, band.others, *means])
    return rows


# The charts (ECharts options, as analytics/charts.py) ----------------------------------


def months_chart(months: list[Month]) -> dict[str, Any]:
    """Points by month as stacked bars: what came in above the axis, what went out below
    (ECharts stacks positive and negative values apart)."""
    labels = kind_labels()
    return {
        "color": [colour for _field, colour in KINDS],
        "grid": {"left": 8, "right": 8, "top": 56, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0, "data": [labels[field] for field, _colour in KINDS]},
        "xAxis": {"type": "category", "data": [format_month(month.month) for month in months]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": labels[field],
                "type": "bar",
                "stack": "points",
                "data": [getattr(month, field) for month in months],
            }
            for field, _colour in KINDS
        ],
    }


def estimate_chart(estimate: Estimate) -> dict[str, Any]:
    """Members' mean beside similar non-members', each bar with its 95% interval drawn as a
    whisker (a box plot whose box is the mean: low, mean, mean, mean, high)."""
    bars = [
        (estimate.members, (estimate.members_low, estimate.members_high), MEMBERS_COLOUR),
        (estimate.others, (estimate.others_low, estimate.others_high), OTHERS_COLOUR),
    ]
    return {
        "grid": {"left": 8, "right": 8, "top": 16, "bottom": 20, "containLabel": True},
        "tooltip": {"trigger": "item", "renderMode": "richText"},
        "xAxis": {
            "type": "category",
            "data": [_("Members"), _("Similar non-members")],
            # Both labels on a phone, wrapped, rather than every other one dropped.
            "axisLabel": {"interval": 0, "width": 130, "overflow": "break", "lineHeight": 14},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "barWidth": "45%",
                "data": [
                    {"value": float(mean), "itemStyle": {"color": colour}}
                    for mean, _interval, colour in bars
                ],
            },
            {
                "type": "boxplot",
                "boxWidth": [12, 24],
                "silent": True,
                "tooltip": {"show": False},
                "itemStyle": {"color": "#0f172a", "borderColor": "#0f172a", "borderWidth": 1.5},
                "data": [
                    [float(low), float(mean), float(mean), float(mean), float(high)]
                    for mean, (low, high), _colour in bars
                ],
            },
        ],
    }
