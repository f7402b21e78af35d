"""The membership pages without login: the sign-up form (link and counter QR code), and
the new member's card, reached through a signed link that expires."""

from collections.abc import Callable
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from samphan.core.forms import add_errors
from samphan.core.public import in_link_language, sender_of
from samphan.core.shop import shop_profile
from samphan.customers.models import Customer
from samphan.frontdesk import cards, services
from samphan.frontdesk.cards import CARD_LINK_SALT, CARD_LINK_SECONDS, card_link
from samphan.frontdesk.forms import SignUpForm

__all__ = ["card_link", "card_response", "member_card_public", "sign_up", "sign_up_page"]


# Told of each sign-up that went through: (request, customer, known, sender), where
# ``known`` says the form matched a customer already on file.
Joined = Callable[[HttpRequest, Customer, bool, str], None]


@in_link_language
def sign_up(request: HttpRequest) -> HttpResponse:
    return sign_up_page(request)


def sign_up_page(
    request: HttpRequest,
    *,
    template: str = "frontdesk/sign_up.html",
    extra: dict[str, Any] | None = None,
    joined: Joined | None = None,
) -> HttpResponse:
    """The sign-up form; loyalty's referral link shows it with the invitation (``extra``)
    and links the new member to their friend (``joined``)."""
    form = SignUpForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "shop": shop_profile(), **(extra or {})}
    if request.method != "POST":
        return render(request, template, context)
    sender = sender_of(request)
    thanks = {**context, "sent": True}
    if request.POST.get("website"):  # the honeypot: a bot; say thanks, keep nothing
        return render(request, template, thanks)
    if not services.sign_up_allowed(sender):
        return render(request, template, {**context, "limited": True}, status=429)
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
            customer, known = services.member_sign_up(data=data, sender=sender)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if joined is not None:
                joined(request, customer, known, sender)
            # A new member and a known one read the same words (issue 20): the card goes
            # to the member's own channel on file, never onto this page.
            return render(request, template, thanks)
    return render(request, template, context, status=400)


def member_card_public(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The card whose link the sign-up sent the member, for a week after sending."""
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
