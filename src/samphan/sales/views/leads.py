"""Leads: list, capture, assign, convert or disqualify; and the public web-to-lead form."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samphan.accounts.models import User
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.core.public import in_link_language, sender_of
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.access import lead_for_user
from samphan.sales.forms import (
    LeadAssignForm,
    LeadConvertForm,
    LeadDisqualifyForm,
    LeadForm,
    PublicLeadForm,
)
from samphan.sales.models import Lead
from samphan.sales.views.common import number_param


@login_required
def lead_list(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_lead")
    get = request.GET
    status = get.get("status", "open")
    filters = queries.LeadFilters(
        status=status if status in {*Lead.Status.values, "open", "all"} else "open",
        owner=request.user.pk if get.get("owner") == "me" else number_param(get.get("owner", "")),
        campaign=get.get("campaign", "")[:100],
        q=search_term(request),
    )
    context = {
        "page": paginate(request, queries.lead_list(request.user, filters)),
        "filters": filters,
        "statuses": Lead.Status.choices,
        "owners": User.objects.filter(is_active=True).order_by("username"),
    }
    template = "sales/lead_list.html#results" if request.htmx else "sales/lead_list.html"
    return render(request, template, context)


@login_required
def lead_create(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.add_lead")
    form = LeadForm(request.POST or None)
    assign = LeadAssignForm(request.POST or None, prefix="assign")
    if request.method == "POST" and form.is_valid():
        owner = assign.cleaned_data.get("owner") if assign.is_valid() else request.user
        team = assign.cleaned_data.get("team") if assign.is_valid() else None
        try:
            lead = services.lead_capture(
                actor=request.user,
                data=services.lead_fields_from(form.cleaned_data),
                owner=owner,
                team=None if owner else team,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Lead recorded."))
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "sales/lead_form.html", {"form": form, "assign": assign})


@login_required
def lead_detail(request: Request, pk: int) -> HttpResponse:
    lead = lead_for_user(request.user, pk, perm="sales.view_lead")
    context = {
        "lead": lead,
        "assign": LeadAssignForm(prefix="assign", initial={"owner": lead.owner_id}),
        "disqualify": LeadDisqualifyForm(),
        "duplicates": queries.lead_duplicates(request.user, lead),
    }
    return render(request, "sales/lead_detail.html", context)


@login_required
@require_POST
def lead_assign(request: Request, pk: int) -> HttpResponse:
    lead = lead_for_user(request.user, pk, perm="sales.change_lead")
    form = LeadAssignForm(request.POST, prefix="assign")
    if not form.is_valid():
        messages.error(request, _("Choose a person or a team."))
        return redirect("lead_detail", pk=pk)
    try:
        if form.cleaned_data["owner"]:
            services.lead_assign(actor=request.user, lead=lead, owner=form.cleaned_data["owner"])
        else:
            services.lead_assign_round_robin(
                actor=request.user, lead=lead, team=form.cleaned_data["team"]
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Lead assigned."))
    return redirect("lead_detail", pk=pk)


@login_required
def lead_convert(request: Request, pk: int) -> HttpResponse:
    lead = lead_for_user(request.user, pk, perm="sales.change_lead")
    duplicates = queries.lead_duplicates(request.user, lead)
    form = LeadConvertForm(request.POST or None, duplicates=duplicates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conversion = services.Conversion(
            stage=data["stage"],
            company_name=data["company_name"],
            deal_title=data["deal_title"],
            deal_amount=data["deal_amount"],
            deal_stage=data["deal_stage"],
            merge_into=data.get("merge_into"),
        )
        try:
            lead = services.lead_convert(actor=request.user, lead=lead, conversion=conversion)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Converted: %(name)s") % {"name": lead.customer})
            return (
                redirect("deal_detail", pk=lead.deal_id)
                if lead.deal_id
                else redirect("customer_detail", pk=lead.customer_id)
            )
    return render(request, "sales/lead_convert.html", {"lead": lead, "form": form})


@login_required
@require_POST
def lead_disqualify(request: Request, pk: int) -> HttpResponse:
    lead = lead_for_user(request.user, pk, perm="sales.change_lead")
    form = LeadDisqualifyForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.lead_disqualify(actor=request.user, lead=lead, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Lead closed as not qualified."))
    return redirect("lead_detail", pk=pk)


# -- The public web-to-lead form ----------------------------------------------------------------

# Embeddable in the business's own site: framing is allowed, and posting needs no session
# cookie (browsers drop third-party cookies in frames). Spam is held off by a hidden field
# bots fill, and by a per-sender limit counted in the database.
EMBEDDABLE = {"frame-ancestors": ["*"], "default-src": ["'self'"], "style-src": ["'self'"]}


@csrf_exempt
@xframe_options_exempt
@csp_override(EMBEDDABLE)
@in_link_language
def public_lead_form(request: HttpRequest) -> HttpResponse:
    form = PublicLeadForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "sent": False}
    if request.method != "POST":
        return render(request, "sales/public_lead_form.html", context)
    sender = sender_of(request)
    if request.POST.get("website"):  # the honeypot: say thanks, keep nothing
        return render(request, "sales/public_lead_form.html", {**context, "sent": True})
    if not services.public_form_allowed(sender):
        context["limited"] = True
        return render(request, "sales/public_lead_form.html", context, status=429)
    if form.is_valid():
        data = services.lead_fields_from(
            {
                **form.cleaned_data,
                "source": request.GET.get("source", Customer.Source.WEBSITE)[:20],
                "campaign": request.GET.get("campaign", "")[:100],
            }
        )
        try:
            services.lead_capture_public(data=data, sender=sender)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render(request, "sales/public_lead_form.html", {**context, "sent": True})
    return render(request, "sales/public_lead_form.html", context, status=400)
