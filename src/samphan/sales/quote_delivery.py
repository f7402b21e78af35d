"""How a quotation reaches the customer, as sales knows it.

Sales decides what is sent and keeps the PDF as sent; the message itself is an outbox row
written by the messaging app, which is built on sales and so registers its courier here
at start (``samphan.messaging.quotes``): sales never imports it.

A LINE message cannot carry a file, so it carries a link to the PDF as sent: signed (no
one makes a link to another quotation without the secret key) and good for
``LINK_DAYS``.
"""

from typing import Protocol

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import Customer
from samphan.sales.models import QuoteDocument

LINK_DAYS = 180
_signer = signing.TimestampSigner(salt="samphan.sales.quote_pdf")


class QuoteCourier(Protocol):
    def addresses(self, customer: Customer) -> dict[str, list[str]]:
        """The customer's addresses on each channel it sends by, the preferred first."""
        ...

    def known(self, key: str) -> bool:
        """Whether a send with this key (one press of the button) was queued already."""
        ...

    def queue(
        self, *, actor: User | None, document: QuoteDocument, channel: str, to: str, key: str
    ) -> int:
        """Queue the message in the caller's transaction and return its id, or raise a
        ValidationError naming ``channel`` or ``to`` (no address, consent withdrawn …)."""
        ...


_couriers: list[QuoteCourier] = []


def quote_courier_register(courier: QuoteCourier) -> None:
    _couriers[:] = [courier]


def quote_courier_or_none() -> QuoteCourier | None:
    return _couriers[0] if _couriers else None


def quote_courier() -> QuoteCourier:
    if not _couriers:
        raise ValidationError({"channel": _("Sending quotations is not available.")})
    return _couriers[0]


def quote_document_url(document: QuoteDocument) -> str:
    """The public address of the PDF as sent, for a message that cannot attach it."""
    token = _signer.sign(str(document.pk))
    return settings.SAMPHAN_PUBLIC_URL + reverse("quote_public_pdf", args=[token])


def document_of(token: str) -> QuoteDocument | None:
    try:
        pk = int(_signer.unsign(token, max_age=LINK_DAYS * 24 * 3600))
    except (signing.BadSignature, ValueError):  # tampered, expired or not a number
        return None
    return QuoteDocument.objects.select_related("quote").filter(pk=pk).first()
