"""Quotations sent through the outbox: the courier sales calls (``samphan.sales.
quote_delivery``), registered at start.

A quotation is a service message: it goes unless the customer withdrew service messages
on the channel or the address is on the suppression list (``consent.why_not``), checked
here so staff see why at once, and again by the outbox at hand-off. By e-mail the PDF is
attached; by LINE, which takes no files, the message links to the PDF as sent.
"""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.dates import format_date
from samphan.core.money import format_baht
from samphan.core.shop import shop_profile
from samphan.customers.models import ConsentRecord, ContactPoint, Customer
from samphan.messaging.consent import address_key, refusal
from samphan.messaging.models import Channel, Message, MessageAttachment, message_key
from samphan.messaging.outbox import message_queue
from samphan.sales.models import Quote, QuoteDocument
from samphan.sales.quote_delivery import quote_document_url

SERVICE = ConsentRecord.Purpose.SERVICE


def email_addresses(customer: Customer) -> list[str]:
    """The customer's e-mail addresses, the preferred first: the choices of the send form."""
    points = customer.contact_points.filter(kind=ContactPoint.Kind.EMAIL)
    return list(points.order_by("-is_preferred", "id").values_list("value", flat=True))


def line_account(customer: Customer) -> str:
    """The LINE account that follows the business and is linked to the customer, if any."""
    accounts = customer.line_accounts.filter(following=True).order_by("-followed_at")
    return accounts.values_list("user_id", flat=True).first() or ""


class OutboxCourier:
    """Quotations by e-mail or LINE, through the outbox."""

    def addresses(self, customer: Customer) -> dict[str, list[str]]:
        account = line_account(customer)
        return {
            Channel.EMAIL: email_addresses(customer),
            Channel.LINE: [account] if account else [],
        }

    def known(self, key: str) -> bool:
        return Message.objects.filter(key=message_key(_idempotency(key))).exists()

    def queue(
        self, *, actor: User | None, document: QuoteDocument, channel: str, to: str, key: str
    ) -> int:
        quote = document.quote
        customer = quote.customer
        to = _address(customer, channel, (to or "").strip())
        why = refusal(customer.pk, channel, SERVICE, to)
        if why:
            raise ValidationError({"to": why})
        with translation.override(quote.language):
            subject, text, html = _content(quote, document, channel)
        message = message_queue(
            customer=customer,
            channel=channel,
            purpose=SERVICE,
            to=to,
            subject=subject,
            text=text,
            html=html,
            idempotency_key=_idempotency(key),
            actor=actor,
        )
        if channel == Channel.EMAIL:
            MessageAttachment.objects.create(
                message=message,
                filename=f"{quote.number}.pdf",
                content_type="application/pdf",
                content=bytes(document.pdf),
            )
        return message.pk


def _idempotency(key: str) -> str:
    return f"quote-send:{key}"


def _address(customer: Customer, channel: str, to: str) -> str:
    """The address to send to, one of the customer's own; a ValidationError naming the
    field otherwise (a quotation never goes to an address typed at random)."""
    if channel == Channel.EMAIL:
        known = {address_key(channel, value): value for value in email_addresses(customer)}
        if not known:
            raise ValidationError(
                {"to": _("This customer has no e-mail address. Add one on their page first.")}
            )
        if address_key(channel, to) not in known:
            raise ValidationError({"to": _("Choose one of the customer's e-mail addresses.")})
        return address_key(channel, to)
    if channel == Channel.LINE:
        account = line_account(customer)
        if not account:
            raise ValidationError(
                {"to": _("This customer's LINE account is not linked or does not follow us.")}
            )
        return account
    raise ValidationError({"channel": _("Choose e-mail or LINE.")})


def _content(quote: Quote, document: QuoteDocument, channel: str) -> tuple[str, str, str]:
    """Subject, text and HTML in the quotation's language."""
    business = shop_profile().name_in(quote.language)
    context = {
        "quote": quote,
        "customer": quote.customer,
        "total": format_baht(quote.total),
        "valid_until": format_date(quote.valid_until, buddhist_era=quote.language == "th"),
        "business": business,
        "link": quote_document_url(document) if channel == Channel.LINE else "",
    }
    subject = _("Quotation %(number)s from %(business)s") % {
        "number": quote.number,
        "business": business,
    }
    text = render_to_string("messaging/quote_message.txt", context).strip()
    html = ""
    if channel == Channel.EMAIL:
        html = render_to_string("messaging/quote_email.html", context)
    return subject, text, html
