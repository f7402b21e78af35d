"""The reward catalogue (list, add, edit), redeeming from the customer's points panel, and
a voucher's page: its QR code to scan at the counter, used once or cancelled."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.audit import audit_record
from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.models import AuditEvent
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.loyalty.forms import RewardForm, VoucherUseForm
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.services import balance_of, rewards


@login_required
def reward_list(request: Request) -> HttpResponse:
    require_perm(request.user, "loyalty.view_pointsentry")
    found = Reward.objects.order_by("-is_active", "points", "name")
    return render(request, "loyalty/rewards.html", {"rewards": found, "use_form": VoucherUseForm()})


@login_required
def reward_edit(request: Request, pk: int | None = None) -> HttpResponse:
    reward = get_object_or_404(Reward, pk=pk) if pk else None
    require_perm(request.user, "loyalty.change_reward" if reward else "loyalty.add_reward")
    form = RewardForm(request.POST or None, request.FILES or None, instance=reward or Reward())
    if request.method == "POST" and form.is_valid():
        if reward and not form.has_changed():
            flash.info(request, _("Nothing changed."))
            return redirect("loyalty_rewards")
        saved = form.save()
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if reward else AuditEvent.Action.CREATE,
            subject=saved,
            changes={name: [None, str(form.cleaned_data[name])] for name in form.changed_data},
        )
        flash.success(request, _("Reward saved."))
        return redirect("loyalty_rewards")
    title = _("Edit reward") if reward else _("New reward")
    return render(request, "loyalty/reward_form.html", {"form": form, "title": title})


@login_required
@require_POST
def reward_redeem(request: Request, pk: int, reward_pk: int) -> HttpResponse:
    """From the customer's points panel (or the desk's card): the voucher's page next."""
    customer = customer_for_user(request.user, pk, perm="loyalty.add_pointsentry")
    reward = get_object_or_404(Reward, pk=reward_pk)
    try:
        voucher, _created = rewards.reward_redeem(
            actor=request.user, customer=customer, reward=reward,
            key=request.POST.get("key") or None,
        )  # fmt: skip
    except ValidationError as error:
        flash.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
        return redirect("customer_detail", customer.pk)
    flash.success(request, _("Redeemed: %(reward)s.") % {"reward": reward.name})
    return redirect("loyalty_voucher", voucher.code)


def _voucher_for(request: Request, code: str, perm: str) -> Voucher:
    voucher = rewards.voucher_find(code)
    if voucher is None:
        raise Http404
    customer_for_user(request.user, voucher.customer_id, perm=perm)  # 404 when not theirs
    return voucher


@login_required
def voucher_detail(request: Request, code: str) -> HttpResponse:
    voucher = _voucher_for(request, code, "loyalty.view_pointsentry")
    qr = mark_safe(rewards.voucher_qr_svg(voucher.code))  # noqa: S308 - drawn by segno
    return render(request, "loyalty/voucher.html", {"voucher": voucher, "qr": qr})


@login_required
def voucher_use(request: Request) -> HttpResponse:
    """The counter: a code typed or scanned (the QR holds the code) is used once."""
    require_perm(request.user, "loyalty.add_pointsentry")
    form = VoucherUseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        found = rewards.voucher_find(code)
        if found is not None:
            _voucher_for(request, code, "loyalty.add_pointsentry")
        try:
            voucher = rewards.voucher_use(actor=request.user, code=code)
        except ValidationError as error:
            add_errors(form, error)
        else:
            flash.success(request, _("Voucher %(code)s used: %(reward)s.") % {
                "code": voucher.code, "reward": voucher.reward.name})  # fmt: skip
            return redirect("loyalty_voucher", voucher.code)
    found_rewards = Reward.objects.order_by("-is_active", "points", "name")
    return render(request, "loyalty/rewards.html", {"rewards": found_rewards, "use_form": form})


@login_required
@require_POST
def voucher_cancel(request: Request, code: str) -> HttpResponse:
    voucher = _voucher_for(request, code, "loyalty.add_pointsentry")
    try:
        rewards.voucher_cancel(actor=request.user, voucher=voucher)
    except ValidationError as error:
        flash.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    else:
        flash.success(request, _("Voucher cancelled: the points are back."))
    return redirect(reverse("loyalty_voucher", args=[voucher.code]))


DESK_OFFERS = 4


@login_required
def desk_rewards(request: Request, pk: int) -> HttpResponse:
    """The desk card's section: the member's points and the rewards they can have now,
    each redeemed with one tap (the voucher's page follows, its QR to scan)."""
    customer = customer_for_user(request.user, pk)
    if not request.user.has_perm("loyalty.view_pointsentry"):
        return HttpResponse("")
    points = balance_of(customer.pk)
    available = [r for r, refusal in rewards.offers(customer, points, timezone.localdate())
                 if not refusal][:DESK_OFFERS]  # fmt: skip
    context = {"customer": customer, "points": points, "available": available}
    return render(request, "loyalty/desk_rewards.html", context)
