"""Campaign pages: the list, writing one (variants in Thai and English), its page with the
results as they come in, scheduling or sending now, a test send and a preview per
recipient; and the two public tracking links (opened, clicked)."""

import base64
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.marketing import campaigns
from samphan.marketing.access import campaign_for_user
from samphan.marketing.forms import CampaignForm, ScheduleForm, VariantForm, VariantFormSet
from samphan.marketing.models import Campaign
from samphan.marketing.panels import CAMPAIGN_PANELS
from samphan.marketing.queries import customers_matching, segment_filter
from samphan.marketing.results import campaign_results
from samphan.marketing.views import id_param

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@login_required
def campaign_list(request: Request) -> HttpResponse:
    require_perm(request.user, "marketing.view_campaign")
    found = Campaign.objects.select_related("segment")
    return render(request, "marketing/campaign_list.html", {"page": paginate(request, found)})


def _variant_initial(campaign: Campaign | None) -> list[dict[str, Any]]:
    if campaign is None:
        return [{"share": 50}, {"share": 50}]
    return [
        {"share": v.share, "subject_th": v.subject_th, "text_th": v.text_th,
         "subject_en": v.subject_en, "text_en": v.text_en}
        for v in campaign.variants.all()
    ]  # fmt: skip


@login_required
def campaign_edit(request: Request, pk: int | None = None) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk) if pk else None
    require_perm(
        request.user, "marketing.change_campaign" if campaign else "marketing.add_campaign"
    )
    if campaign and not campaign.is_editable:
        flash.error(request, _("A campaign that has started cannot be changed."))
        return redirect("campaign_detail", campaign.pk)
    initial = {"segment": request.GET.get("segment")} if campaign is None else None
    form = CampaignForm(request.POST or None, instance=campaign, initial=initial)
    variants = VariantFormSet(
        request.POST or None,
        prefix="variants",
        initial=None if request.POST else _variant_initial(campaign),
    )
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        fields = {**form.cleaned_data}
        fields["segment_id"] = fields.pop("segment").pk
        try:
            saved = campaigns.campaign_save(
                actor=request.user,
                campaign=campaign,
                fields=fields,
                variants=[data for data in variants.cleaned_data if data],
            )
        except ValidationError as error:
            _errors_onto(form, variants, error)
        else:
            flash.success(request, _("%(campaign)s saved.") % {"campaign": saved.name})
            return redirect("campaign_detail", saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "variants": variants, "campaign": campaign}
    return render(request, "marketing/campaign_form.html", context, status=status)


def _errors_onto(
    form: CampaignForm, variants: BaseFormSet[VariantForm], error: ValidationError
) -> None:
    rest: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        parts = name.split(".")
        if parts[0] == "variants" and len(parts) == 3:
            variants.forms[int(parts[1])].add_error(parts[2], messages)
        elif parts[0] == "variants":
            variants.non_form_errors().extend(messages)
        else:
            rest[name] = messages
    add_errors(form, ValidationError(rest))


@login_required
def campaign_detail(request: Request, pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk, perm="marketing.view_campaign")
    context: dict[str, Any] = {
        "campaign": campaign,
        "results": campaign_results(campaign),
        "variants": list(campaign.variants.all()),
        "schedule_form": ScheduleForm(),
        "live": campaign.status in (Campaign.Status.SCHEDULED, Campaign.Status.SENDING),
    }
    if request.htmx:
        response = render(request, "marketing/campaign_detail.html#results", context)
        if not context["live"]:  # it has finished: the whole page shows what it can do now
            response["HX-Refresh"] = "true"
        return response
    context["sample"] = list(
        customers_matching(request.user, segment_filter(campaign.segment)).order_by(
            "display_name", "id"
        )[:10]
    )
    context["panel_urls"] = [reverse(name, args=[campaign.pk]) for name in CAMPAIGN_PANELS]
    return render(request, "marketing/campaign_detail.html", context)


@login_required
def campaign_preview(request: Request, pk: int) -> HttpResponse:
    """Each variant as one customer of the audience would read it."""
    campaign = campaign_for_user(request.user, pk, perm="marketing.view_campaign")
    customer = customer_for_user(request.user, id_param(request.GET.get("customer")))
    shown = campaigns.preview_for(campaign, customer)
    return render(
        request, "marketing/_campaign_preview.html", {"customer": customer, "shown": shown}
    )


@login_required
@require_POST
def campaign_schedule(request: Request, pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk, perm="marketing.change_campaign")
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        flash.error(request, " ".join(str(error) for error in form.errors.get("at", [])))
        return redirect("campaign_detail", campaign.pk)
    at = form.cleaned_data["at"]
    if at is not None and at < timezone.now():
        flash.error(request, _("Choose a time in the future, or leave it empty to send now."))
        return redirect("campaign_detail", campaign.pk)
    try:
        campaigns.campaign_schedule(campaign=campaign, at=at)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(
            request,
            _("Scheduled: the worker sends it at the time set.")
            if at
            else _("Sending: the worker has started."),
        )
    return redirect("campaign_detail", campaign.pk)


@login_required
@require_POST
def campaign_cancel(request: Request, pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk, perm="marketing.change_campaign")
    try:
        campaigns.campaign_cancel(campaign=campaign)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, _("Cancelled: nothing more is queued."))
    return redirect("campaign_detail", campaign.pk)


@login_required
@require_POST
def campaign_test(request: Request, pk: int) -> HttpResponse:
    """Send a variant to one customer (a colleague's own record, say) as a test."""
    require_perm(request.user, "marketing.change_campaign")
    require_perm(request.user, "messaging.add_message")
    campaign = campaign_for_user(request.user, pk)
    variant = get_object_or_404(campaign.variants, pk=id_param(request.POST.get("variant")))
    customer = customer_for_user(
        request.user, id_param(request.POST.get("customer")), queryset=Customer.objects.active()
    )
    try:
        message = campaigns.test_send(
            actor=request.user, campaign=campaign, variant=variant, customer=customer
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(
            request,
            _("Test queued: %(channel)s to %(to)s.")
            % {"channel": message.get_channel_display(), "to": message.to},
        )
    return redirect("campaign_detail", campaign.pk)


# -- Public tracking links -----------------------------------------------------------------------


@never_cache
def campaign_open(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's pixel: the first load marks the recipient as having opened it."""
    campaigns.recipient_open(token)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def campaign_click(request: HttpRequest, token: str, index: int) -> HttpResponse:
    """A tracked link: marks the click (and the opening it implies), then leads on. Where
    to comes from the message sent, never from the request, so it is no open redirect."""
    target = campaigns.recipient_click(token, index)
    if target is None:
        raise Http404
    return HttpResponseRedirect(target)
