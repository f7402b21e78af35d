"""Referrals for staff: the results (who refers, whom they brought, how many bought, what
those friends spent and what the rewards cost), the queue of referrals set aside for
review, linking a friend by their code at the counter, and sending a member the link to
their own page."""

from decimal import Decimal
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.analytics.models import CustomerActivity
from samphan.core.http import Request
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.loyalty.models import PointsEntry, Referral
from samphan.loyalty.public import member_page_url
from samphan.loyalty.services import programme_current
from samphan.loyalty.services.earning import plain
from samphan.loyalty.services.referrals import (
    referral_decide,
    referral_link,
    referral_tree,
    referrer_by_code,
)
from samphan.loyalty.services.telling import Words, members_tell


def referral_results(referrals: Any, entries: Any, value: Decimal) -> dict[str, Any]:
    """The figures over ``referrals`` and the ledger's ``entries``, each already narrowed
    to what the user may see."""
    counts = referrals.aggregate(
        referred=Count("id"),
        referrers=Count("referrer_id", distinct=True),
        rewarded=Count("id", filter=Q(status=Referral.Status.REWARDED)),
        review=Count("id", filter=Q(status=Referral.Status.REVIEW)),
        rejected=Count("id", filter=Q(status=Referral.Status.REJECTED)),
    )
    friends = referrals.values("referred_id")
    bought = CustomerActivity.objects.filter(customer_id__in=friends, order_count__gt=0)
    spent = bought.aggregate(customers=Count("customer_id"), revenue=Sum("revenue"))
    points = (
        entries.filter(cause=PointsEntry.Cause.REFERRAL).aggregate(total=Sum("points"))["total"]
        or 0
    )
    referred = counts["referred"]
    return {
        **counts,
        "bought": spent["customers"],
        "conversion": (spent["customers"] * 100 / referred) if referred else None,
        "revenue": spent["revenue"] or Decimal(0),
        "reward_points": points,
        "reward_cost": Decimal(points) * value,
    }


@login_required
def referral_list(request: Request) -> HttpResponse:
    require_perm(request.user, "loyalty.view_referral")
    programme = programme_current()
    visible = Referral.objects.visible_to(request.user)
    status = request.GET.get("status", "")
    shown = visible.filter(status=status) if status in Referral.Status.values else visible
    shown = shown.select_related("referrer", "referred", "order").order_by("-created_at", "-id")
    top = (
        visible.values("referrer_id", "referrer__display_name")
        .annotate(
            friends=Count("id"),
            rewarded=Count("id", filter=Q(status=Referral.Status.REWARDED)),
        )
        .order_by("-friends", "referrer_id")[:10]
    )
    context = {
        "results": referral_results(
            visible, PointsEntry.objects.visible_to(request.user), programme.point_value
        ),
        "page": paginate(request, shown),
        "status": status,
        "statuses": Referral.Status.choices,
        "top": top,
        "programme": programme,
        "point_value": plain(programme.point_value),
    }
    return render(request, "loyalty/referrals.html", context)


@login_required
@require_POST
def referral_decision(request: Request, pk: int) -> HttpResponse:
    require_perm(request.user, "loyalty.change_referral")
    referral = get_object_or_404(Referral.objects.visible_to(request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        referral_decide(actor=request.user, referral=referral, approve=approve)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, _("Referral approved.") if approve else _("Referral refused."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "loyalty_referrals"  # never on to another site
    return redirect(back)


@login_required
@require_POST
def referral_enter(request: Request, pk: int) -> HttpResponse:
    """The friend's code typed (or scanned) at the counter, from the points panel."""
    friend = customer_for_user(request.user, pk, perm="loyalty.add_pointsentry")
    code = request.POST.get("code", "").strip()[:12]
    try:
        referral = referral_link(
            actor=request.user,
            referrer=referrer_by_code(code),
            friend=friend,
            channel=Referral.Channel.STAFF,
            code=code.upper(),
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(
            request,
            _("Linked to %(name)s: %(status)s.")
            % {"name": referral.referrer.display_name, "status": referral.get_status_display()},
        )
    return redirect("customer_detail", friend.pk)


@login_required
@require_POST
def member_page_send(request: Request, pk: int) -> HttpResponse:
    """Send the member the link to their own page, by their preferred channel."""
    customer = customer_for_user(request.user, pk, perm="loyalty.add_pointsentry")
    link = member_page_url(customer.pk)

    def write(_pk: int, shop: str) -> Words:
        return Words(
            subject=_("Your membership at %(shop)s") % {"shop": shop},
            text=_("%(shop)s: your points, rewards and invitation code are here: %(link)s")
            % {"shop": shop, "link": link},
        )

    sent = members_tell({customer.pk: f"member-page-{customer.pk}-{link[-12:]}"}, write)
    if sent:
        flash.success(request, _("The link to the member's page is on its way."))
    else:
        flash.error(request, _("This customer has no channel we may send a service message to."))
    return redirect("customer_detail", customer.pk)


def referral_panel(customer: Customer) -> dict[str, Any]:
    """The points panel's referral part: who brought the customer, and whom they brought
    (three levels)."""
    own = Referral.objects.filter(referred=customer).select_related("referrer").first()
    return {"referral": own, "tree": referral_tree(customer.pk)}
