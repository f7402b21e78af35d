"""Member numbers and the code on a member card.

The card's QR code carries ``<shop address>/p/c/<member number>:<signature>/`` (an HMAC of
the number under the site's secret key; older cards ``SPM1:<number>:<signature>``): on a
phone it opens the member's own page, and the check-in screen reads it from a camera or
from a USB scanner typing it. A forged or altered card is refused rather than matched.
"""

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.core.numbering import reserve_numbers
from samphan.core.shop import shop_profile
from samphan.customers.models import Customer

CARD_PREFIX = "SPM1:"
CARD_PATH = "/p/c/"  # the card's page: project urls, served by loyalty
_signer = signing.Signer(salt="samphan.member-card")
ATTEMPTS = 5


def member_number_format(year: int, number: int) -> str:
    """The site's pattern (``SAMPHAN_MEMBER_NUMBER_PATTERN``, e.g. ``M{year}{number:05d}``)
    filled in; the numbers run per year when the pattern shows the year."""
    return settings.SAMPHAN_MEMBER_NUMBER_PATTERN.format(year=year, number=number)


def member_number_assign(
    customer: Customer, *, actor: User | None = None, today: dt.date | None = None
) -> str:
    """Give ``customer`` the next free member number (inside the caller's transaction),
    audited. A number already taken by hand is skipped."""
    if customer.member_number:
        return customer.member_number
    pattern = settings.SAMPHAN_MEMBER_NUMBER_PATTERN
    year = (today or timezone.localdate()).year if "{year" in pattern else 0
    for _attempt in range(ATTEMPTS):
        number = member_number_format(year, reserve_numbers("MEMBER", year, 1))
        try:
            with transaction.atomic():
                Customer.objects.filter(pk=customer.pk).update(member_number=number)
        except IntegrityError:
            continue
        customer.member_number = number
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=customer,
            customer_id=customer.pk,
            changes={"member_number": [None, number]},
        )
        return number
    raise RuntimeError("no free member number")  # five numbers in a row taken by hand


def card_payload(member_number: str) -> str:
    return CARD_PREFIX + _signer.sign(member_number)


def card_page_path(member_number: str) -> str:
    """The member's own page, which the card's QR code opens on a phone (loyalty's)."""
    return CARD_PATH + quote(_signer.sign(member_number), safe=":") + "/"


def card_qr_text(member_number: str) -> str:
    """What the card's QR code holds: the member's page with the shop's address. The
    check-in screen reads it too (``card_read``), as it reads older cards' ``SPM1:``."""
    return shop_profile().public_url + card_page_path(member_number)


@dataclass(frozen=True)
class CardRead:
    member_number: str | None
    error: str = ""


def card_read(text: str) -> CardRead | None:
    """What a scanned code says: None when it is not a card code at all (typed text),
    else the member number or why it was refused."""
    text = text.strip()
    if CARD_PATH in text:
        signed = unquote(text.split(CARD_PATH, 1)[1].split("/", 1)[0])
        text = CARD_PREFIX + signed
    if not text.upper().startswith(CARD_PREFIX):
        if looks_like_code(text):
            return CardRead(None, _("This code is not a member card of this shop."))
        return None
    try:
        return CardRead(_signer.unsign(text[len(CARD_PREFIX) :]))
    except signing.BadSignature:
        return CardRead(
            None, _("This member card could not be verified. Check the number by hand.")
        )


def looks_like_code(text: str) -> bool:
    """A web link or another scheme's payload (a payment QR: 25 or more Latin letters and
    digits in a row), which nobody types at a front desk."""
    return "://" in text or re.fullmatch(r"[0-9A-Za-z.:/?=&%+-]{25,}", text) is not None
