"""Insight pages: top customers and their share; who is expected today and who is
overdue; a customer's cadence panel on their page."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from samphan.analytics import (
    charts,
    forecast,
    forecast_store,
    funnel,
    queries,
    reports,
    rfm,
    snapshots,
)
from samphan.analytics import dashboard as dashboard_figures
from samphan.analytics.cadence import cadence_of
from samphan.analytics.figures import Share, TopQuestion, figures
from samphan.analytics.forms import DashboardForm, FunnelForm, ReportForm, TopCustomersForm
from samphan.analytics.models import CustomerActivity, CustomerRFM, RFMState
from samphan.analytics.regulars import regulars_page
from samphan.core import dates, periods
from samphan.core.http import Request
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers.models import ContactPoint, Customer
from samphan.customers.timeline import latest_activity
from samphan.sales.models import Order, Pipeline

KPI_CARDS = [
    ("revenue", gettext_lazy("revenue"), "money"),
    ("profit", gettext_lazy("profit"), "money"),
    ("orders", gettext_lazy("orders"), "count"),
    ("average_order", gettext_lazy("average order"), "money"),
    ("buyers", gettext_lazy("customers who bought"), "count"),
    ("new_buyers", gettext_lazy("new customers"), "count"),
    ("returning_buyers", gettext_lazy("returning customers"), "count"),
    ("repeat_rate", gettext_lazy("repeat rate"), "rate"),
]
CONTACT_KINDS = (ContactPoint.Kind.MOBILE, ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL,
                 ContactPoint.Kind.LINE)  # fmt: skip

CHANNEL_LABELS = dict(Order.Channel.choices)


@login_required
def top_customers(request: Request) -> HttpResponse:
    """Top customers and their share (``figures`` says where they come from: for users
    who see every record a preset period is a snapshot the worker keeps fresh)."""
    require_perm(request.user, "sales.view_order")
    form = TopCustomersForm(request.GET)
    context: dict[str, Any] = {"form": form, "whole_company": sees_all_records(request.user)}
    if form.is_valid():
        today = timezone.localdate()
        period = form.chosen_period(today)
        by = form.cleaned_data["by"] or "revenue"
        limit, group = form.cleaned_data["limit"], form.cleaned_data["group"]
        preset = form.cleaned_data["period"] or form.default_period
        question = TopQuestion(period, by=by, limit=limit, group=group, preset=preset)
        result = figures(request.user, question)
        share = result.share
        measure = _("Revenue") if by == "revenue" else _("Profit")
        context |= {
            "period": result.period,
            "computed_at": result.computed_at,
            "by": by,
            "measure": measure,
            "rows": result.rows,
            "contacts": preferred_contacts([row.customer_id for row in result.rows]),
            "share": share,
            "pareto": charts.pareto_chart(share.pareto, measure),
            "pareto_table": concentration_rows(share),
            "group": group,
            "groups": result.groups,
        }
    htmx = request.htmx
    template = "analytics/top_customers.html#report" if htmx else "analytics/top_customers.html"
    return render(request, template, context)


def concentration_rows(share: Share) -> list[tuple[int, int | None, float]]:
    """(percent, how many customers that is, their share) for the table under the Pareto
    chart: the top 1, 5, 10, 20, 50, 80 and 100%. A snapshot made before the counts were
    kept has only some percents and no counts."""
    counts = share.concentration_customers
    return [
        (percent, counts.get(percent), value)
        for percent, value in sorted(share.concentration.items())
    ]


def weekday_names() -> list[str]:
    return [str(name) for name in WEEKDAY_NAMES.values()]


def preferred_contacts(customers: list[Any]) -> dict[int, ContactPoint]:
    """Each customer's preferred way to reach them (else the first phone, e-mail or LINE):
    one query for the whole list."""
    points = ContactPoint.objects.filter(
        customer_id__in=[getattr(customer, "pk", customer) for customer in customers],
        kind__in=CONTACT_KINDS,
    ).order_by("customer_id", "-is_preferred", "kind", "id")
    chosen: dict[int, ContactPoint] = {}
    for point in points:
        chosen.setdefault(point.customer_id, point)
    return chosen


@login_required
def regulars(request: Request) -> HttpResponse:
    """Expected today (usual weekday today) and overdue regulars, side by side."""
    require_perm(request.user, "customers.view_customer")
    today = timezone.localdate()
    tab = "overdue" if request.GET.get("list") == "overdue" else "expected"
    found = regulars_page(request.user, tab, today, number=request.GET.get("page"))
    context = {
        "tab": tab,
        "today": today,
        "weekday_name": formats.date_format(today, "l"),
        "page": found.page,
        "rows": found.rows,
        "as_of": found.as_of,
        "cadences": {row.customer_id: cadence_of(row, today) for row in found.rows},
        "contacts": preferred_contacts([row.customer for row in found.rows]),
    }
    return render(request, "analytics/regulars.html", context)


@login_required
def customer_cadence(request: Request, pk: int) -> HttpResponse:
    """The cadence panel of the customer page: when they come, and a weekday × hour map."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    activity = CustomerActivity.objects.filter(customer_id=pk).first()
    cadence = cadence_of(activity, timezone.localdate())
    context: dict[str, Any] = {
        "customer": customer,
        "cadence": cadence,
        "rfm": CustomerRFM.objects.filter(customer_id=pk).first(),
    }
    if cadence.days:
        grid = queries.customer_week_hours(pk)
        context["heatmap"] = charts.weekday_hour_chart(weekday_names(), grid)
        context["heatmap_id"] = f"cadence-heatmap-{pk}"
    return render(request, "analytics/customer_cadence.html", context)


@login_required
def segments(request: Request) -> HttpResponse:
    """RFM segments: how many customers each holds and what they bring."""
    require_perm(request.user, "sales.view_order")
    rfm.rfm_refresh_if_stale()
    rows = rfm.segment_summary(request.user)
    context = {
        "rows": rows,
        "total": sum(row.customers for row in rows),
        "state": RFMState.objects.filter(pk=1).first(),
        "chart": charts.segments_chart(rows),
    }
    return render(request, "analytics/segments.html", context)


@login_required
def dashboard(request: Request) -> HttpResponse:
    """Home: the period's KPIs against the period before, the revenue trend, the top
    customers and their share, when customers come, regulars to expect and to call.

    For users who see every record a preset period comes from a snapshot at most a
    minute old (its time is on the page); custom dates and limited users are live."""
    # The home page (samphan.home) shows its own page to users who do not see sales.
    require_perm(request.user, "sales.view_order")
    form = DashboardForm(request.GET)
    today = timezone.localdate()
    valid = form.is_valid()
    period = form.chosen_period(today) if valid else form.fallback(today)
    preset = (form.cleaned_data.get("period") if valid else None) or form.default_period
    user = request.user
    computed_at = None
    if preset != periods.CUSTOM and sees_all_records(user):
        data, computed_at = snapshots.snapshot(f"dashboard:{preset}")
    else:
        data = dashboard_figures.figures(user, period, today)
    months = [(dt.date.fromisoformat(month), Decimal(total)) for month, total in data["months"]]
    context = {
        "counts": data["counts"],
        "recent": latest_activity(user),
        "form": form,
        "period": periods.Period(
            dt.date.fromisoformat(data["since"]), dt.date.fromisoformat(data["until"])
        ),
        "computed_at": computed_at,
        "kpis": data["kpis"],
        "kpi_cards": KPI_CARDS,
        "compared_with": _span_of(data.get("compared_with"), today),
        "trend": charts.revenue_trend_chart(months),
        "trend_rows": months[-12:],
        "top": data["top"],
        "concentration": data["concentration"],
        "gini": data.get("gini"),
        "heatmap": charts.weekday_hour_chart(weekday_names(), data["week_hours"]),
        "expected_count": data["expected_today"],
        "overdue_count": data["overdue"],
    }
    return render(request, "analytics/dashboard.html", context)


def _span_of(span: dict[str, str] | None, today: dt.date) -> str:
    """The compared period as the card says it ("1–6 พ.ย."); empty when there is none (all
    time, or a snapshot made before it was kept)."""
    if not span:
        return ""
    return span_label(
        dt.date.fromisoformat(span["since"]), dt.date.fromisoformat(span["until"]), today
    )


def span_label(since: dt.date, until: dt.date, today: dt.date) -> str:
    """A span of days, short: "1–6 พ.ย." / "1–6 Nov", "1 ก.ค. – 6 ก.ย.", with the year
    (Buddhist era where preferred) only when it is not this year's."""
    if since.year != until.year:
        return f"{dates.format_date(since)} – {dates.format_date(until)}"
    year = "" if since.year == today.year else f" {dates.format_month(since).split()[-1]}"
    month = dates.format_month(since).rsplit(" ", 1)[0]
    if since == until:
        return f"{since.day} {month}{year}"
    if (since.year, since.month) == (until.year, until.month):
        return f"{since.day}–{until.day} {month}{year}"
    until_month = dates.format_month(until).rsplit(" ", 1)[0]
    return f"{since.day} {month} – {until.day} {until_month}{year}"


STEP_LABELS = {
    "leads": gettext_lazy("Leads"),
    "converted": gettext_lazy("Converted"),
    "bought": gettext_lazy("Bought"),
    "repeat": gettext_lazy("Bought again"),
}


@login_required
def funnel_report(request: Request) -> HttpResponse:
    """The lifecycle funnel of the period's leads, by source, and the pipeline funnel.

    For users who see every record a preset period comes from a snapshot (its time is on
    the page); custom dates and limited users are live (``funnel.report``)."""
    require_perm(request.user, "sales.view_lead")
    form = FunnelForm(request.GET, pipelines=list(Pipeline.objects.all()))
    today = timezone.localdate()
    valid = form.is_valid()
    period = form.chosen_period(today) if valid else form.fallback(today)
    preset = (form.cleaned_data.get("period") if valid else None) or form.default_period
    pipeline = (form.cleaned_data.get("pipeline") if valid else None) or (
        Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    )
    found = funnel.report(request.user, period, pipeline, preset)
    context = {
        "form": form,
        "period": period,
        "pipeline": pipeline,
        "computed_at": found.as_of,
        "steps": [(STEP_LABELS[step.key], step) for step in found.lifecycle],
        "sources": found.sources,
        # Orders' figures, for those who may see orders.
        "channels": [(CHANNEL_LABELS.get(row.channel, row.channel), row) for row in found.channels]
        if request.user.has_perm("sales.view_order")
        else None,
        "stages": found.stages,
        "lifecycle_chart": charts.funnel_chart(
            [(str(STEP_LABELS[s.key]), s.count) for s in found.lifecycle]
        ),
        "pipeline_chart": charts.funnel_chart([(s.stage.label, s.reached) for s in found.stages]),
    }
    return render(request, "analytics/funnel.html", context)


@login_required
def report(request: Request) -> HttpResponse:
    """A sales report for a period, on the page (printable), as CSV or as XLSX."""
    require_perm(request.user, "sales.view_order")
    form = ReportForm(request.GET, user=request.user)
    today = timezone.localdate()
    valid = form.is_valid()
    period = form.chosen_period(today) if valid else form.fallback(today)
    # The fields that are right are kept when another is wrong (cleaned_data holds them).
    kind = form.cleaned_data.get("report") or "month"
    segment = form.cleaned_data.get("segment")
    customers = form.segment_customers()
    result = (
        reports.segment_report(request.user, customers)
        if kind == "segment"
        else reports.sales_report(request.user, period, kind, customers)
    )
    export = request.GET.get("format")
    name = f"samphan-{kind}-{period.since:%Y%m%d}-{period.until:%Y%m%d}"
    if segment:
        name += f"-segment{segment.pk}"
    if valid and export == "csv":
        response = HttpResponse(reports.as_csv(result), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if valid and export == "xlsx":
        response = HttpResponse(reports.as_xlsx(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    context = {
        "form": form,
        "period": period,
        "report": result,
        "kind": kind,
        "segment": segment,
    }
    return render(request, "analytics/report.html", context)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def forecast_panel(request: Request) -> HttpResponse:
    """The dashboard's forecast section, loaded after the page: the forecast the worker
    made (``forecast_store``); while it makes the first one, or one asked for with
    "Compute again" (POST), a note that polls."""
    require_perm(request.user, "sales.view_order")
    today = timezone.localdate()
    if request.method == "POST":
        forecast_store.remake(request.user)
        if not request.htmx:  # a plain form: back to the page
            return redirect(f"{reverse('home')}#forecast")
    stored = forecast_store.stored_forecast(request.user)
    remaking_after = _remaking_after(request, stored)
    months = dashboard_figures.monthly_revenue(request.user, 12, today)
    context = {
        "stored": stored,
        "remaking_after": remaking_after,
        "forecast": stored.forecast if stored else None,
        "labels": {key: spec.label for key, spec in forecast.CANDIDATES.items()},
        "chart": charts.forecast_chart(months, stored.forecast.months if stored else []),
        "pipeline": forecast.weighted_pipeline(request.user),
    }
    return render(request, "analytics/forecast_panel.html", context)


REMAKE_WAIT = 600  # seconds a panel polls for a forecast asked for again


def _remaking_after(request: Request, stored: forecast_store.Stored | None) -> str:
    """The time (a Unix timestamp) of the forecast shown when "Compute again" was asked
    for, while a newer one is awaited; "" when none is."""
    if stored is None:
        return ""
    made = stored.computed_at.timestamp()
    if request.method == "POST":
        return f"{made:.6f}"
    try:
        after = float(request.GET.get("after", ""))
    except ValueError:  # absent or not a number: nothing awaited
        return ""
    waiting = made <= after and 0 <= timezone.now().timestamp() - after < REMAKE_WAIT
    return f"{after:.6f}" if waiting else ""
