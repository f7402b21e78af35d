"""The member's own page, without login: the balance and how it moved, the tier and how
far the next one is, the rewards they may redeem themselves, their vouchers, and their
referral code, link and QR. Reached from the member card's QR code (signed with the
card, for as long as the card is good) or from a signed link staff send, which expires.

And the referral link: the sign-up form with the friend's invitation, which links the
new member to the friend whose code it carries.
"""

import datetime as dt
import uuid
from contextlib import suppress
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from samphan.core.public import in_link_language, sender_hash
from samphan.core.shop import shop_profile
from samphan.customers.membership import CARD_PREFIX, card_page_path, card_read
from samphan.customers.models import Customer
from samphan.frontdesk.public import sign_up_page
from samphan.loyalty.models import PointsEntry, Referral, Reward, Voucher
from samphan.loyalty.services import balance_of, programme_current, tiers
from samphan.loyalty.services.expiry import next_expiry
from samphan.loyalty.services.referrals import referral_code_of, referral_link, referrer_by_code
from samphan.loyalty.services.rewards import offers, reward_redeem, voucher_qr_svg

PAGE_SALT = "samphan.member-page"
PAGE_DAYS = 90
HISTORY = 20


def member_page_link(customer_id: int) -> str:
    token = signing.dumps(customer_id, salt=PAGE_SALT, compress=True)
    return reverse("member_page", args=[token])


def member_page_url(customer_id: int) -> str:
    """``member_page_link`` with the shop's public address, for a message."""
    return shop_profile().public_url + member_page_link(customer_id)


def referral_url(code: str) -> str:
    return shop_profile().public_url + reverse("referral_join", args=[code])


def _secure(response: HttpResponse) -> HttpResponse:
    # The link is the key: not cached, not indexed, never sent on to another site.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@in_link_language
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=PAGE_SALT, max_age=dt.timedelta(days=PAGE_DAYS))
    except signing.SignatureExpired:
        page = render(request, "loyalty/member_page_expired.html", status=410)
        return _secure(page)
    except signing.BadSignature as error:
        raise Http404 from error
    customer = get_object_or_404(Customer, pk=pk, archived_at__isnull=True)
    return _member_response(request, customer)


@in_link_language
def member_card_page(request: HttpRequest, signed: str) -> HttpResponse:
    read = card_read(CARD_PREFIX + unquote(signed))
    if read is None or read.member_number is None:
        raise Http404
    customer = get_object_or_404(
        Customer, member_number=read.member_number, archived_at__isnull=True
    )
    return _member_response(request, customer)


def _member_response(request: HttpRequest, customer: Customer) -> HttpResponse:
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("reward", "")
        reward = Reward.objects.filter(pk=int(chosen)).first() if chosen.isdecimal() else None
        key = request.POST.get("key", "")[:60]
        if reward is None:
            error = _("This reward is not offered now.")
        else:
            try:
                reward_redeem(actor=None, customer=customer, reward=reward, key=f"member:{key}")
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                return redirect(request.path + "#vouchers")
    page = render(
        request,
        "loyalty/member_page.html",
        _context(customer, error),
        status=400 if error else 200,
    )
    return _secure(page)


def _qr(text: str) -> str:
    return mark_safe(voucher_qr_svg(text))  # noqa: S308 - segno's own SVG of our text


def _context(customer: Customer, error: str) -> dict[str, Any]:
    today, programme = timezone.localdate(), programme_current()
    balance = balance_of(customer.pk)
    standing = tiers.standing(programme, today, Q(pk=customer.pk))
    _pk, tier, amount, _grace = standing[0] if standing else (customer.pk, customer.tier, 0, None)
    gap = tiers.next_tier(programme, tier, Decimal(amount))
    code = referral_code_of(customer.pk)
    link = referral_url(code)
    card_link = (
        shop_profile().public_url + card_page_path(customer.member_number)
        if customer.member_number
        else ""
    )
    progress = 0
    if gap is not None:
        target = Decimal(amount) + gap.short_by
        progress = int(Decimal(amount) * 100 / target) if target else 100
    return {
        "customer": customer,
        "name": customer.nickname or customer.first_name or customer.first_name_en,
        "balance": balance,
        "expiring": next_expiry(customer.pk, today),
        "programme": programme,
        "window_amount": amount,
        "next_tier": gap,
        "progress": progress,
        "offers": offers(customer, balance, today),
        "vouchers": [
            (voucher, _qr(voucher.code))
            for voucher in Voucher.objects.filter(
                customer=customer, status=Voucher.Status.ISSUED, expires_on__gte=today
            ).select_related("reward")[:5]
        ],
        "entries": PointsEntry.objects.filter(customer=customer).select_related("order")[:HISTORY],
        "card_qr": _qr(card_link) if card_link else "",
        "referral_code": code,
        "referral_link": link,
        "referral_qr": _qr(link),
        "friends": Referral.objects.filter(referrer=customer).count(),
        "key": uuid.uuid4().hex,
        "error": error,
    }


@in_link_language
def referral_join(request: HttpRequest, code: str) -> HttpResponse:
    """The sign-up form under the friend's invitation: a new member who signs up here is
    linked to them (a customer already on file is not: a referral brings someone new)."""
    referrer = referrer_by_code(code)
    if referrer is None:
        raise Http404
    programme = programme_current()

    def joined(request: HttpRequest, customer: Customer, known: bool, sender: str) -> None:
        if known:
            return
        agent = request.headers.get("User-Agent", "")[:300]
        with suppress(ValidationError):  # the member is made either way
            referral_link(
                actor=None,
                referrer=referrer,
                friend=customer,
                channel=Referral.Channel.SIGN_UP,
                code=code.upper(),
                device=sender_hash(f"{sender}|{agent}"),
            )

    extra = {
        "referrer_name": referrer.nickname or referrer.first_name or referrer.first_name_en,
        "programme": programme,
    }
    return sign_up_page(request, template="loyalty/referral_join.html", extra=extra, joined=joined)
