"""“Work next”: a rep's open deals and leads, best first, with why."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from samphan.accounts.models import User
from samphan.core.http import Request
from samphan.core.permissions import require_perm, sees_all_records
from samphan.sales import scoring
from samphan.sales.views.common import number_param


@login_required
def work_next(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_deal")
    chosen = number_param(request.GET.get("owner", ""))
    owner = request.user
    if chosen and chosen != request.user.pk and sees_all_records(request.user):
        owner = User.objects.filter(pk=chosen).first() or request.user
    context = {
        "owner": owner,
        "owners": User.objects.filter(is_active=True).order_by("username")
        if sees_all_records(request.user)
        else [],
        "deals": scoring.scored_deals(request.user, owner=owner)[: scoring.WORK_NEXT_LIMIT],
        "leads": scoring.scored_leads(request.user, owner=owner)[: scoring.WORK_NEXT_LIMIT],
    }
    return render(request, "sales/work_next.html", context)
