"""The support inbox and a ticket's page: thread, reply or note, status and assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samphan.analytics import reports as analytics_reports
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.periods import Period, preset_period
from samphan.core.permissions import require_perm
from samphan.core.storage import stored_file_response
from samphan.customers.access import customer_for_user
from samphan.marketing.access import campaign_for_user
from samphan.support import nps, queries, replies, reports, services
from samphan.support.access import ticket_for_user
from samphan.support.forms import (
    BulkForm,
    ReplyForm,
    SupportReportForm,
    TicketForm,
    TicketUpdateForm,
)
from samphan.support.models import Survey, Ticket, TicketAttachment, TicketTag
from samphan.support.settings_sections import sections_for

PANEL_TICKETS = 5  # open tickets listed on the customer page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BULK_MOST = 100  # tickets one bulk change may touch (a page is at most that)

VIEW_LABELS = {
    "mine": gettext_lazy("Mine"),
    "unassigned": gettext_lazy("Unassigned"),
    "overdue": gettext_lazy("Overdue"),
    "pending": gettext_lazy("Waiting on customer"),
    "open": gettext_lazy("All open"),
    "solved": gettext_lazy("Solved"),
}


@login_required
def inbox(request: Request) -> HttpResponse:
    require_perm(request.user, "support.view_ticket")
    now = timezone.now()
    counts = queries.view_counts(request.user, now)
    view = request.GET.get("view", "")
    if view not in VIEW_LABELS:  # one's own tickets first, when one has any
        view = "mine" if counts["mine"] else "open"
    q = search_term(request)
    tags = list(TicketTag.objects.all())
    tag = next((t for t in tags if str(t.pk) == request.GET.get("tag", "")), None)
    context = {
        "page": paginate(
            request, queries.inbox(request.user, view, q, now, tag.pk if tag else None)
        ),
        "view": view,
        "q": q,
        "tags": tags,
        "tag": tag,
        "tabs": [(name, label, counts[name]) for name, label in VIEW_LABELS.items()],
        "now": now,
        "bulk_form": BulkForm() if request.user.has_perm("support.change_ticket") else None,
        "may_configure": bool(sections_for(request.user)),
    }
    template = "support/inbox.html#results" if request.htmx else "support/inbox.html"
    return render(request, template, context)


@login_required
def ticket_create(request: Request) -> HttpResponse:
    require_perm(request.user, "support.add_ticket")
    initial = (
        {"customer": request.GET["customer"]} if request.GET.get("customer", "").isdigit() else {}
    )
    form = TicketForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                actor=request.user,
                subject=data["subject"],
                body=data["body"],
                channel=data["channel"],
                customer=data["customer"],
                requester=data["requester"],
                priority=data["priority"],
                category=data["category"],
                team=data["team"],
                owner=data["owner"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("ticket_detail", pk=ticket.pk)
    return render(request, "support/ticket_form.html", {"form": form})


@login_required
@require_POST
def ticket_bulk(request: Request) -> HttpResponse:
    """Assign, move or reprioritise the tickets ticked in the inbox (at most a page)."""
    require_perm(request.user, "support.change_ticket")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("support_inbox")
    ids = [int(pk) for pk in request.POST.getlist("ticket")[:BULK_MOST] if pk.isdigit()]
    form = BulkForm(request.POST)
    if not form.is_valid() or not form.changes():
        messages.error(request, _("Choose what to change: an assignee, a status or a priority."))
        return redirect(back)
    tickets = list(Ticket.objects.visible_to(request.user).filter(pk__in=ids).order_by("pk"))
    if not tickets:
        messages.error(request, _("Tick the tickets to change first."))
        return redirect(back)
    changed, refused = services.tickets_bulk_update(
        actor=request.user, tickets=tickets, fields=form.changes()
    )
    messages.success(
        request,
        ngettext("%(count)s ticket changed.", "%(count)s tickets changed.", changed)
        % {"count": changed},
    )
    for reason in refused:
        messages.warning(request, reason)
    return redirect(back)


@login_required
def ticket_viewers(request: Request, pk: int) -> HttpResponse:
    """Who else has this ticket open: the page asks every 20 seconds."""
    ticket = ticket_for_user(request.user, pk)
    viewers = services.viewers_of(ticket, request.user)
    return render(request, "support/_viewers.html", {"ticket": ticket, "viewers": viewers})


def _detail(
    request: Request, ticket: Ticket, reply: ReplyForm, update: TicketUpdateForm, status: int = 200
) -> HttpResponse:
    thread = (
        ticket.messages.select_related("author", "outbox")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    context = {
        "ticket": ticket,
        "thread": thread,
        "route": replies.route_for(ticket),
        "canned": replies.canned_for(ticket, request.user),
        "reply_form": reply,
        "update_form": update,
        "promises": ticket.promises_running(),
        "viewers": services.viewers_of(ticket, request.user),
        "now": timezone.now(),
    }
    return render(request, "support/ticket_detail.html", context, status=status)


@login_required
def ticket_detail(request: Request, pk: int) -> HttpResponse:
    """The ticket's page. It posts two forms: a reply or note, and (``action=update``) the
    status and assignment."""
    ticket = ticket_for_user(request.user, pk)
    if request.method != "POST":
        return _detail(request, ticket, ReplyForm(), TicketUpdateForm(instance=ticket))
    require_perm(request.user, "support.change_ticket")
    if request.POST.get("action") == "update":
        return _update(request, ticket)
    form = ReplyForm(request.POST)
    if (
        form.is_valid()
        and form.cleaned_data["kind"] == "reply"
        and _answered_meanwhile(ticket, request.POST.get("seen", ""))
    ):
        form.add_error(
            None,
            _(
                "While you were writing, the customer wrote again or a colleague answered: "
                "read the conversation, then send."
            ),
        )
        return _detail(request, ticket, form, TicketUpdateForm(instance=ticket), status=409)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "note":
                services.ticket_note(actor=request.user, ticket=ticket, body=data["body"])
            else:
                services.ticket_reply(
                    actor=request.user, ticket=ticket, body=data["body"], status=data["status"]
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("ticket_detail", pk=ticket.pk)
    return _detail(request, ticket, form, TicketUpdateForm(instance=ticket), status=400)


def _answered_meanwhile(ticket: Ticket, seen: str) -> bool:
    """Whether the thread grew after the page the reply was written on (``seen``: the
    ticket's last message time the page showed; empty from an old page or the API)."""
    if not seen or ticket.last_message_at is None:
        return False
    return seen != ticket.last_message_at.isoformat()


def _update(request: Request, ticket: Ticket) -> HttpResponse:
    # The form edits a copy: the page shows the ticket as it is if the change is refused.
    form = TicketUpdateForm(request.POST, instance=Ticket.objects.get(pk=ticket.pk))
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.ticket_update(actor=request.user, ticket=ticket, fields=fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("ticket_detail", pk=ticket.pk)
    return _detail(request, ticket, ReplyForm(), form, status=400)


@login_required
def ticket_attachment(request: Request, pk: int) -> HttpResponseBase:
    """A file a customer's mail brought, for who may see its ticket; always downloaded,
    never shown in the page (a file is the sender's, not ours)."""
    attachment = get_object_or_404(TicketAttachment.objects.exclude(file=""), pk=pk)
    ticket_for_user(request.user, attachment.message.ticket_id)
    try:
        response = stored_file_response(
            request,
            str(attachment.file.name),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
    except FileNotFoundError as error:
        raise Http404 from error
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def customer_support(request: Request, pk: int) -> HttpResponse:
    """The customer page's panel: their open tickets, and their latest satisfaction and
    recommendation scores."""
    customer = customer_for_user(request.user, pk)
    if not request.user.has_perm("support.view_ticket"):
        return HttpResponse("")  # no panel for those who may not see tickets
    tickets = Ticket.objects.visible_to(request.user).filter(customer=customer)
    answered = Survey.objects.filter(customer=customer, answered_at__isnull=False)
    context = {
        "customer": customer,
        "open": list(
            tickets.filter(status__in=Ticket.OPEN_STATUSES).order_by("-created_at")[:PANEL_TICKETS]
        ),
        "open_count": tickets.filter(status__in=Ticket.OPEN_STATUSES).count(),
        "csat": answered.filter(kind=Survey.Kind.CSAT).order_by("-answered_at").first(),
        "nps": answered.filter(kind=Survey.Kind.NPS).order_by("-answered_at").first(),
    }
    return render(request, "support/customer_support.html", context)


@login_required
def support_report(request: Request) -> HttpResponse:
    """Support's reports for a period (in the insights): by channel, category or team,
    the backlog day by day, satisfaction by week, recommendation by month; the grouped
    table, the weeks (``table=satisfaction``) or the months (``table=nps``) as CSV or
    XLSX."""
    require_perm(request.user, "support.view_ticket")
    form = SupportReportForm(request.GET, user=request.user)
    today = timezone.localdate()
    valid = form.is_valid()
    period = form.chosen_period(today) if valid else preset_period("last_30", today)
    group = form.cleaned_data.get("group") or "channel"
    customers = form.segment_customers() if valid else None  # narrows the answers only
    weeks = reports.satisfaction_by_week(request.user, period, customers)
    recommendation = reports.recommendation(request.user, period, customers)
    export = request.GET.get("format")
    if valid and export in ("csv", "xlsx"):
        wanted = request.GET.get("table")
        if wanted == "satisfaction":
            table = reports.satisfaction_report(weeks)
        elif wanted == "nps":
            table = reports.nps_report(recommendation["nps_by_month"])
        else:
            table = reports.grouped_report(request.user, period, group)
        return _report_file(table, period, export)
    table = reports.grouped_report(request.user, period, group)
    backlog = reports.backlog(request.user, period)
    context = {
        "form": form,
        "period": period,
        "group": group,
        "segment": form.cleaned_data.get("segment") if valid else None,
        "report": table,
        "backlog_chart": reports.backlog_chart(backlog),
        "backlog_now": backlog[-1][1] if backlog else 0,
        "weeks": weeks,
        "satisfaction_chart": reports.satisfaction_chart(weeks),
        "nps_chart": reports.nps_chart(recommendation["nps_by_month"]),
        **recommendation,
    }
    return render(request, "support/report.html", context)


def _report_file(table: analytics_reports.Report, period: Period, export: str) -> HttpResponse:
    name = f"samphan-support-{table.key}-{period.since:%Y%m%d}-{period.until:%Y%m%d}"
    content: str | bytes
    if export == "csv":
        content, content_type = analytics_reports.as_csv(table), "text/csv; charset=utf-8"
    else:
        content, content_type = analytics_reports.as_xlsx(table), XLSX
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{export}"'
    return response


@login_required
def campaign_nps(request: Request, pk: int) -> HttpResponse:
    """A campaign page's panel: the recommendation scores of the surveys its
    ``{{ nps_link }}`` sent; nothing for a campaign that sent none."""
    campaign = campaign_for_user(request.user, pk, perm="marketing.view_campaign")
    if not request.user.has_perm("support.view_survey"):
        return HttpResponse("")
    surveys = Survey.objects.visible_to(request.user).filter(
        campaign=campaign, kind=Survey.Kind.NPS
    )
    sent = surveys.count()
    if not sent:
        return HttpResponse("")
    answered = surveys.filter(answered_at__isnull=False)
    found = nps.nps_of([s for s in answered.values_list("score", flat=True) if s is not None])
    context = {
        "nps": found,
        "sent": sent,
        "rate": found.answers / sent,
        "comments": list(
            answered.exclude(comment="").select_related("customer").order_by("-answered_at")[:10]
        ),
    }
    return render(request, "support/campaign_nps.html", context)
