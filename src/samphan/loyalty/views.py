from decimal import Decimal

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.core.templatetags.samphan import thai_date
from samphan.customers.access import customer_for_user
from samphan.loyalty import services
from samphan.loyalty.forms import PointsForm, ProgrammeForm, RuleForm
from samphan.loyalty.models import (
    WEEKDAYS,
    EarningRule,
    PointsEntry,
    Programme,
    TierChange,
    Voucher,
)
from samphan.loyalty.referral_views import referral_panel
from samphan.loyalty.services import tiers
from samphan.loyalty.services.expiry import next_expiry
from samphan.loyalty.services.rewards import offers
from samphan.loyalty.services.rules import programme_save, rule_save

RECENT = 8


@login_required
def customer_points(request: Request, pk: int) -> HttpResponse:
    """The customer page's panel: the balance, how it is made and the last changes; a
    POST redeems or adjusts (the panel comes back with the field's error, or the new
    balance)."""
    customer = customer_for_user(request.user, pk)
    partial = request.htmx
    if request.method == "POST":
        require_perm(request.user, "loyalty.add_pointsentry")
    elif not request.user.has_perm("loyalty.view_pointsentry"):
        return HttpResponse("")  # no panel for those who may not see points
    form, saved = PointsForm(), False
    if request.method == "POST":
        form = PointsForm(request.POST)
        if form.is_valid():
            try:
                services.points_record(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                if not partial:
                    flash.success(request, _("Points recorded."))
                    return redirect("customer_detail", customer.pk)
                form, saved = PointsForm(), True
        if not partial and form.errors:
            flash.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
            return redirect("customer_detail", customer.pk)
    today, programme = timezone.localdate(), services.programme_current()
    balance = services.balance_of(customer.pk)
    standing = tiers.standing(programme, today, Q(pk=customer.pk))
    _pk, tier, amount, grace = standing[0] if standing else (customer.pk, customer.tier, 0, None)
    context = {
        "customer": customer,
        "balance": balance,
        "expiring": next_expiry(customer.pk, today),
        "per": programme.baht_per_point,
        "programme": programme,
        "window_amount": amount,
        "grace_until": grace,
        "next_tier": tiers.next_tier(programme, tier, Decimal(amount)),
        "tier_changes": TierChange.objects.filter(customer=customer)[:3],
        "offers": offers(customer, balance, today),
        "vouchers": Voucher.objects.filter(customer=customer).select_related("reward")[:3],
        "entries": PointsEntry.objects.filter(customer=customer).select_related(
            "created_by", "order"
        )[:RECENT],
        "form": form,
        "saved": saved,
        **referral_panel(customer),
    }
    return render(request, "loyalty/customer_points.html", context)


def rule_conditions(rule: EarningRule) -> str:
    """The rule's conditions in words, for the list: "LINE · Mon, Fri · from 1 Dec 2026"."""
    parts = []
    if rule.channel:
        parts.append(str(rule.get_channel_display()))
    if rule.tier:
        parts.append(str(rule.get_tier_display()))
    if rule.product_id:
        parts.append(str(rule.product))
    if rule.category_id:
        parts.append(str(rule.category))
    if rule.weekdays:
        parts.append(
            ", ".join(str(day) for n, day in enumerate(WEEKDAYS) if rule.weekdays & (1 << n))
        )
    if rule.birthday_month:
        parts.append(_("birthday month"))
    if rule.first_purchase:
        parts.append(_("first purchase"))
    if rule.min_spend is not None:
        parts.append(_("order of at least ฿%(amount)s") % {"amount": f"{rule.min_spend:,.0f}"})
    if rule.starts_on:
        parts.append(_("from %(day)s") % {"day": thai_date(rule.starts_on)})
    if rule.ends_on:
        parts.append(_("until %(day)s") % {"day": thai_date(rule.ends_on)})
    return " · ".join(parts) or _("every order")


def rule_effect(rule: EarningRule) -> str:
    parts = []
    if rule.multiplier > 1:
        parts.append(_("%(times)s× points") % {"times": f"{rule.multiplier.normalize():f}"})
    if rule.bonus_points:
        parts.append(_("+%(points)s bonus points") % {"points": f"{rule.bonus_points:,}"})
    return ", ".join(parts)


PROGRAMME_GROUPS = [
    (gettext_lazy("Earning points"), ("baht_per_point", "max_points_per_order")),
    (gettext_lazy("Expiry"), ("expiry", "expiry_months", "remind_days")),
    (gettext_lazy("Tiers"), ("tiers_by", "tier_window_months", "tier_review", "tier_grace_days",
                      "silver_from", "gold_from", "platinum_from", "silver_multiplier",
                      "gold_multiplier", "platinum_multiplier")),
    (gettext_lazy("Point value"), ("point_value",)),
    (gettext_lazy("Referrals"), ("referrer_points", "referred_points", "referral_min_order",
                          "referral_hold_days", "referral_limit_month",
                          "referral_review_over")),
]  # fmt: skip


@login_required
def loyalty_settings(request: Request) -> HttpResponse:
    """The programme (a POST saves a new version) and the earning rules in force."""
    require_perm(request.user, "loyalty.view_earningrule")
    programme = services.programme_current()
    form = ProgrammeForm(instance=programme)
    if request.method == "POST":
        require_perm(request.user, "loyalty.add_programme")
        form = ProgrammeForm(request.POST, instance=Programme())
        if form.is_valid():
            try:
                saved = programme_save(actor=request.user, fields=form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                if saved.pk == programme.pk:
                    flash.info(request, _("Nothing changed."))
                else:
                    flash.success(request, _("Programme saved. New orders earn under it."))
                return redirect("loyalty_settings")
    rules = (
        EarningRule.objects.filter(replaced_by=None)
        .select_related("product", "category")
        .order_by("-is_active", "name", "id")
    )
    context = {
        "form": form,
        "groups": [(title, [form[name] for name in names]) for title, names in PROGRAMME_GROUPS],
        "programme": programme,
        "rules": [(rule, rule_conditions(rule), rule_effect(rule)) for rule in rules],
    }
    return render(request, "loyalty/settings.html", context)


@login_required
def rule_edit(request: Request, pk: int | None = None) -> HttpResponse:
    """A new rule, or a new version of one (the old one stays, closed)."""
    rule = get_object_or_404(EarningRule, pk=pk, replaced_by=None) if pk else None
    require_perm(request.user, "loyalty.change_earningrule" if rule else "loyalty.add_earningrule")
    form = RuleForm(request.POST or None, instance=rule or EarningRule())
    if request.method == "POST" and form.is_valid():
        try:
            saved = rule_save(actor=request.user, rule=rule, fields=form.fields_cleaned())
        except ValidationError as error:
            add_errors(form, error)
        else:
            if rule and saved.pk == rule.pk:
                flash.info(request, _("Nothing changed."))
            else:
                flash.success(request, _("Rule saved. New orders earn under it."))
            return redirect("loyalty_settings")
    title = _("Edit earning rule") if rule else _("New earning rule")
    return render(request, "loyalty/rule_form.html", {"form": form, "rule": rule, "title": title})
