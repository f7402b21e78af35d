"""The front desk: check-in, arrival alerts, who is expected today, and the alert rules."""

from typing import Any
from urllib.parse import urlsplit

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.accounts.models import User
from samphan.analytics import queries as analytics_queries
from samphan.analytics.cadence import cadence_of
from samphan.analytics.regulars import regulars_page
from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.core.shop import shop_profile
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.customers.seen import seen, seen_many
from samphan.frontdesk import alert_cards, services
from samphan.frontdesk.access import alert_for_user, alert_rule_for_user
from samphan.frontdesk.forms import AlertRuleForm, LookupForm, WalkInForm
from samphan.frontdesk.models import Alert, AlertRule
from samphan.frontdesk.notes import DESK_PANELS, arrival_notes
from samphan.frontdesk.public import card_response
from samphan.sales.models import Deal

CHECK_IN = "frontdesk.use_desk"
MANAGE_RULES = "frontdesk.change_alertrule"


@login_required
def desk(request: Request) -> HttpResponse:
    require_perm(request.user, CHECK_IN)
    return render(request, "frontdesk/desk.html", {"form": LookupForm()})


@login_required
@require_POST
def look_up(request: Request) -> HttpResponse:
    """Find who was typed or scanned: one match is checked in at once, several are shown
    as cards to pick from, none offers the quick sign-up."""
    require_perm(request.user, CHECK_IN)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _result(
            request, {"error": _("Type a phone number, a member number or a name.")}, 400
        )
    lookup = services.check_in_lookup(request.user, form.cleaned_data["q"])
    found = lookup.found
    if found.error:
        return _result(request, {"error": found.error, "query": form.cleaned_data["q"]}, 400)
    if lookup.arrival:
        return _arrived(request, lookup.arrival)
    if found.customers:
        seen_many(request.user, [customer.pk for customer in found.customers], "card")
        return _result(request, {"found": found, "query": form.cleaned_data["q"]})
    query = form.cleaned_data["q"]
    initial = {"phone": query} if found.method == services.Method.PHONE else {"first_name": query}
    return _result(request, {"query": query, "walk_in": WalkInForm(initial=initial)})


@login_required
@require_POST
def check_in(request: Request, pk: int) -> HttpResponse:
    """Check in the customer picked from the cards."""
    require_perm(request.user, CHECK_IN)
    return _arrived(request, services.check_in_picked(request.user, pk))


@login_required
@require_POST
def walk_in(request: Request) -> HttpResponse:
    require_perm(request.user, CHECK_IN)
    require_perm(request.user, "customers.add_customer")
    form = WalkInForm(request.POST)
    if form.is_valid():
        data = services.WalkIn(
            first_name=form.cleaned_data["first_name"],
            nickname=form.cleaned_data["nickname"],
            phone=form.cleaned_data["phone"],
            consents=form.consents(),
        )
        try:
            customer = services.walk_in_register(actor=request.user, data=data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            arrival = services.check_in(
                actor=request.user, customer=customer, method=services.Method.NEW
            )
            return _arrived(request, arrival)
    return _result(request, {"walk_in": form}, 400)


def _arrived(request: Request, arrival: services.Arrival) -> HttpResponse:
    seen(request.user, arrival.customer.pk, "card")
    context = {"arrival": arrival, **customer_card(request.user, arrival.customer)}
    return _result(request, context)


def customer_card(user: User, customer: Customer) -> dict[str, Any]:
    """What the card shows besides the customer: interests, tags, open deals, cadence."""
    today = timezone.localdate()
    deals = Deal.objects.visible_to(user).open().filter(customer=customer)
    return {
        "customer": customer,
        "interests": list(customer.interests.all()),
        "tags": list(customer.tags.all()),
        "open_deals": list(deals.select_related("stage")[:3]),
        "notes": arrival_notes(customer, user),
        "panel_urls": [reverse(name, args=[customer.pk]) for name in DESK_PANELS],
        "birthday_today": services.is_birthday(customer.birthday, today),
        "cadence": cadence_of(analytics_queries.activity_of(customer.pk), today),
    }


def _result(request: Request, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The result panel alone for HTMX, else the whole desk page around it. To HTMX a
    message or a form with errors is a panel like any other (it swaps only 2xx answers,
    and the browser reports a 4xx as an error)."""
    if request.htmx:
        return render(request, "frontdesk/_result.html", context)
    return render(request, "frontdesk/desk.html", {"form": LookupForm(), **context}, status=status)


# -- Arrival alerts ---------------------------------------------------------------------------


@login_required
def alerts(request: Request) -> HttpResponse:
    """The alerts screen: big cards of the arrivals nobody greeted yet."""
    require_perm(request.user, "customers.view_customer")
    open_alerts = list(services.alerts_open_for(request.user)[:20])
    context = {
        "alerts": open_alerts,
        "state": services.alerts_state(alert.pk for alert in open_alerts),
        "size": "screen",
        "history": alert_history(request.user),
    }
    return render(request, "frontdesk/alerts.html", context)


@login_required
def alerts_feed(request: Request) -> HttpResponse:
    """Polled every second by each staff screen: 204 while nothing changed (the token the
    screen has), else the cards, with the new token in ``X-Alerts-State``."""
    if not request.user.has_perm("customers.view_customer"):
        return HttpResponse(status=204)
    # Most polls find nothing new: the ids alone decide that, before any card is built.
    ids = services.alerts_open_ids(request.user)
    state = services.alerts_state(ids)
    if request.GET.get("state") == state:
        return HttpResponse(status=204)
    size = "screen" if request.GET.get("size") == "screen" else "tray"
    response = HttpResponse(alert_cards.cards_html(request, ids, state, size))
    response["X-Alerts-State"] = state
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def alert_greet(request: Request, pk: int) -> HttpResponse:
    alert = alert_for_user(request.user, pk, perm="customers.view_customer", open_only=True)
    services.alert_greet(actor=request.user, alert=alert)
    if request.htmx:
        return alerts_feed(request)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("frontdesk_alerts")  # not to another site
    return redirect(back)


# -- Expected today ---------------------------------------------------------------------------


@login_required
def expected(request: Request) -> HttpResponse:
    """Who is likely to come today (their usual weekday), or overdue regulars; VIPs only on
    request."""
    require_perm(request.user, "customers.view_customer")
    today = timezone.localdate()
    tab = "overdue" if request.GET.get("list") == "overdue" else "expected"
    vip = request.GET.get("vip") == "1"
    found = regulars_page(
        request.user, tab, today, vip=vip, number=request.GET.get("page"), per_page=24
    )
    context = {
        "tab": tab,
        "vip": vip,
        "page": found.page,
        "rows": found.rows,
        "as_of": found.as_of,
        "weekday_name": formats.date_format(today, "l"),
        "cadences": {row.customer_id: cadence_of(row, today) for row in found.rows},
    }
    return render(request, "frontdesk/expected.html", context)


# -- Alert rules ------------------------------------------------------------------------------


@login_required
def rules(request: Request) -> HttpResponse:
    require_perm(request.user, MANAGE_RULES)
    found = AlertRule.objects.select_related("tag", "team")
    return render(request, "frontdesk/rules.html", {"rules": found, "form": AlertRuleForm()})


@login_required
def rule_edit(request: Request, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, MANAGE_RULES)
    if pk is None:
        require_perm(request.user, "frontdesk.add_alertrule")
    rule = alert_rule_for_user(request.user, pk) if pk else None
    form = AlertRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if rule:
                services.alert_rule_update(actor=request.user, rule=rule, fields=fields)
            else:
                services.alert_rule_create(actor=request.user, fields=fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("frontdesk_rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "frontdesk/rule_form.html", {"form": form, "rule": rule}, status=status)


@login_required
@require_POST
def rule_delete(request: Request, pk: int) -> HttpResponse:
    rule = alert_rule_for_user(request.user, pk, perm="frontdesk.delete_alertrule")
    services.alert_rule_delete(actor=request.user, rule=rule)
    return redirect("frontdesk_rules")


def alert_history(user: User) -> list[Alert]:
    """The latest arrivals announced, greeted or not (the rules page shows them)."""
    return list(
        Alert.objects.visible_to(user)
        .select_related("customer", "greeted_by", "checked_in_by")
        .order_by("-id")[:20]
    )


# -- Membership -------------------------------------------------------------------------------


@login_required
def member_card(request: Request, pk: int, kind: str) -> HttpResponse:
    """A member's card as PNG or PDF, to print or send."""
    customer = customer_for_user(request.user, pk, perm="customers.view_customer")
    if not customer.member_number:
        raise Http404
    return card_response(customer, kind)


@login_required
@require_POST
def member_make(request: Request, pk: int) -> HttpResponse:
    """Give a customer checked in at the desk a member number (and so a card)."""
    require_perm(request.user, CHECK_IN)
    customer = customer_for_user(request.user, pk, perm="customers.change_customer")
    services.member_number_give(actor=request.user, customer=customer)
    return _result(request, {"member_made": True, **customer_card(request.user, customer)})


@login_required
def sign_up_poster(request: Request) -> HttpResponse:
    """The sign-up page's link and QR code, to print for the counter."""
    require_perm(request.user, CHECK_IN)
    shop = shop_profile()
    links = {}
    for language in ("th", "en"):
        url = sign_up_address(request, shop.public_url) + f"?lang={language}"
        svg = segno.make_qr(url, error="m").svg_inline(scale=6, dark="#0f172a")
        links[language] = {"url": url, "svg": mark_safe(svg),  # noqa: S308 - segno's own SVG
                           "shop": shop.name_in(language)}  # fmt: skip
    return render(request, "frontdesk/sign_up_poster.html", {"links": links, "shop": shop})


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def sign_up_address(request: HttpRequest, public_url: str) -> str:
    """The sign-up page at the shop's public address; at the address staff use now when
    that one is the machine itself (a customer's phone cannot reach 127.0.0.1)."""
    path = reverse("member_sign_up")
    host = urlsplit(public_url).hostname or ""
    if host in LOOPBACK or not public_url:
        return request.build_absolute_uri(path)
    return public_url + path
