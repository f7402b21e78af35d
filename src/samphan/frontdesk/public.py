"""The membership pages without login: the sign-up form (link and counter QR code), and
the new member's card, reached through a signed link that expires."""

from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from samphan.core.forms import add_errors
from samphan.core.public import in_link_language, sender_of
from samphan.core.shop import shop_profile
from samphan.customers.models import Customer
from samphan.frontdesk import cards, services
from samphan.frontdesk.forms import SignUpForm

CARD_LINK_SALT = "samphan.member-card-link"
CARD_LINK_SECONDS = 24 * 3600


def card_link(customer: Customer, kind: str = "png") -> str:
    token = signing.dumps(customer.pk, salt=CARD_LINK_SALT)
    return reverse("member_card_public", args=[token, kind])


@in_link_language
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "shop": shop_profile()}
    if request.method != "POST":
        return render(request, "frontdesk/sign_up.html", context)
    sender = sender_of(request)
    if request.POST.get("website"):  # the honeypot: a bot; say thanks, keep nothing
        return render(request, "frontdesk/sign_up.html", {**context, "returning": True})
    if not services.sign_up_allowed(sender):
        return render(request, "frontdesk/sign_up.html", {**context, "limited": True}, status=429)
    if form.is_valid():
        data = services.MemberSignUp(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            nickname=form.cleaned_data["nickname"],
            mobile=form.cleaned_data["mobile"],
            email=form.cleaned_data["email"],
            birthday=form.cleaned_data["birthday"],
            interests=list(form.cleaned_data["interests"]),
            consents=form.consents(),
        )
        try:
            customer, returning = services.member_sign_up(data=data, sender=sender)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if returning:
                return render(request, "frontdesk/sign_up.html", {**context, "returning": True})
            done = {"member": customer, "card_png": card_link(customer),
                    "card_pdf": card_link(customer, "pdf")}  # fmt: skip
            return render(request, "frontdesk/sign_up.html", {**context, **done})
    return render(request, "frontdesk/sign_up.html", context, status=400)


def member_card_public(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The card the sign-up page shows, for a day after signing up."""
    try:
        pk = signing.loads(token, salt=CARD_LINK_SALT, max_age=CARD_LINK_SECONDS)
    except signing.BadSignature as error:
        raise Http404 from error
    customer = Customer.objects.filter(pk=pk, archived_at__isnull=True).first()
    if customer is None or not customer.member_number:
        raise Http404
    return card_response(customer, kind)


def card_response(customer: Customer, kind: str) -> HttpResponse:
    if kind not in ("png", "pdf"):
        raise Http404
    if kind == "pdf":
        response = HttpResponse(cards.card_pdf(customer), content_type="application/pdf")
    else:
        response = HttpResponse(cards.card_png(customer), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="member-{customer.member_number}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
