"""Quotations: drafted from a deal, sent as a PDF (through the outbox, or marked as sent when
it went another way), accepted into an order (deal won).

Quote prices are before VAT; a product whose list price includes VAT is quoted at that
price divided by (1 + VAT). The total discount is spread over the lines in proportion when
the quote becomes an order, so order revenue equals the quote's net to the satang.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.dates import format_date
from samphan.core.models import AuditEvent
from samphan.core.money import format_baht, to_baht, vat_rate
from samphan.core.numbering import next_number
from samphan.customers.models import Interaction
from samphan.customers.services import interaction_log
from samphan.sales.models import ZERO, Deal, Order, Quote, QuoteDocument, QuoteLine, Stage
from samphan.sales.quote_delivery import quote_courier
from samphan.sales.services.deals import deal_move
from samphan.sales.services.order_lines import LineInput, ProductPrice, build_lines
from samphan.sales.services.orders import order_record

QUOTE_PREFIX = "QT"
DEFAULT_VALID_DAYS = 30


def _price_before_vat(product: ProductPrice) -> Decimal:
    if product.price_includes_vat:
        return to_baht(product.list_price / (1 + vat_rate()))
    return product.list_price


def _quote_lines(lines: Sequence[LineInput]) -> list[QuoteLine]:
    """Checked like order lines (same messages and field names), priced before VAT: the
    first pass finds the products, the second checks discounts against the quoted price."""
    found = build_lines(lines)
    priced = [
        LineInput(
            line.product,
            line.quantity,
            _price_before_vat(built.product) if line.unit_price in (None, "") else line.unit_price,
            line.discount,
            price_includes_vat=False,
        )
        for line, built in zip(lines, found, strict=True)
    ]
    return [
        QuoteLine(
            product_id=built.product.id,
            description=built.product.name,
            quantity=built.quantity,
            unit_price=built.unit_price,
            discount=built.discount,
            amount=to_baht(built.quantity * built.unit_price - built.discount),
        )
        for built in build_lines(priced)
    ]


def _totals(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    quote.subtotal = sum((line.amount for line in lines), ZERO)
    if quote.discount > quote.subtotal:
        raise ValidationError(
            {
                "discount": _("The discount is more than the subtotal (%(amount)s).")
                % {"amount": format_baht(quote.subtotal)}
            }
        )
    quote.net = quote.subtotal - quote.discount
    quote.vat = to_baht(quote.net * quote.vat_rate)
    quote.total = quote.net + quote.vat


@transaction.atomic
def quote_create(
    *,
    actor: User | None,
    deal: Deal,
    lines: Sequence[LineInput] | None = None,
    discount: Decimal | None = ZERO,
    valid_days: int = DEFAULT_VALID_DAYS,
    language: str = "th",
    notes: str = "",
) -> Quote:
    """A draft quotation for the deal; without lines, the deal's products are quoted."""
    if lines is None:
        lines = [
            LineInput(line.product_id, line.quantity, None, line.discount)
            for line in deal.lines.all()
        ]
    if not 1 <= valid_days <= 365:
        raise ValidationError({"valid_days": _("A quotation is valid for 1 to 365 days.")})
    today = timezone.localdate()
    quote = Quote(
        number=next_number(QUOTE_PREFIX, today.year),
        deal=deal,
        customer_id=deal.customer_id,
        issued_on=today,
        valid_until=today + dt.timedelta(days=valid_days),
        language=language,
        discount=to_baht(discount or 0),
        vat_rate=vat_rate(),
        notes=(notes or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    built = _quote_lines(lines)
    _totals(quote, built)
    quote.full_clean(exclude=["deal", "customer", "order", "created_by"])
    quote.save()
    for line in built:
        line.quote = quote
    QuoteLine.objects.bulk_create(built)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=quote,
        customer_id=quote.customer_id,
        changes={"number": [None, quote.number], "total": [None, str(quote.total)]},
    )
    return quote


@transaction.atomic
def quote_update(
    *,
    actor: User | None,
    quote: Quote,
    lines: Sequence[LineInput],
    discount: Decimal | None = ZERO,
    valid_until: dt.date | None = None,
    language: str | None = None,
    notes: str | None = None,
) -> Quote:
    """Change a draft: its lines, total discount, validity, language, notes."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if not quote.is_draft:
        raise ValidationError({"status": _("Only a draft can be changed; make a new quotation.")})
    before = snapshot(quote, QUOTE_AUDITED_FIELDS)
    lines_before = _line_values(quote.lines.all())
    built = _quote_lines(lines)
    quote.discount = to_baht(discount or 0)
    if valid_until is not None:
        if valid_until < quote.issued_on:
            raise ValidationError({"valid_until": _("Valid until must be on or after the date.")})
        quote.valid_until = valid_until
    quote.language = language or quote.language
    quote.notes = quote.notes if notes is None else notes.strip()
    _totals(quote, built)
    quote.full_clean(exclude=["deal", "customer", "order", "created_by"])
    changes = diff(before, snapshot(quote, QUOTE_AUDITED_FIELDS))
    lines_changed = _line_values(built) != lines_before
    if not changes and not lines_changed:
        return quote  # saved unchanged: nothing to write, nothing to audit
    if lines_changed:
        changes["lines"] = [len(lines_before), len(built)]
    quote.save()
    quote.lines.all().delete()
    for line in built:
        line.quote = quote
    QuoteLine.objects.bulk_create(built)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=quote,
        customer_id=quote.customer_id,
        changes=changes,
    )
    return quote


QUOTE_AUDITED_FIELDS = ["discount", "valid_until", "language", "notes", "total"]


def _line_values(lines: Iterable[QuoteLine]) -> list[tuple[Any, ...]]:
    return [
        (line.product_id, line.description, line.quantity, line.unit_price, line.discount)
        for line in lines
    ]


def _sendable(quote: Quote) -> Quote:
    quote = Quote.objects.select_for_update().select_related("customer").get(pk=quote.pk)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise ValidationError(
            {
                "status": _("This quotation is already %(status)s.")
                % {"status": quote.get_status_display()}
            }
        )
    return quote


@transaction.atomic
def quote_send(
    *, actor: User | None, quote: Quote, pdf: bytes, channel: str, to: str, key: str = ""
) -> Quote:
    """Send the PDF to the customer through the outbox (e-mail with the PDF attached, or
    LINE with a link to it), keep it as sent, and mark the quotation sent; all or nothing.

    The message is on the customer's timeline as the outbox row it is (queued, sent,
    delivered or why not), so the timeline never claims a send that did not happen. ``key``
    names one press of the button: pressed twice, the quotation is sent once.
    """
    quote = _sendable(quote)
    courier = quote_courier()
    if key and courier.known(key):
        return quote
    previous = quote.status
    document = QuoteDocument.objects.create(quote=quote, pdf=pdf, created_by=_user(actor))
    message_id = courier.queue(
        actor=actor, document=document, channel=channel, to=to, key=key or f"doc:{document.pk}"
    )
    quote.status = Quote.Status.SENT
    quote.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=quote,
        customer_id=quote.customer_id,
        changes={"status": [previous, quote.status], "message": [None, message_id]},
    )
    return quote


@transaction.atomic
def quote_mark_sent(*, actor: User | None, quote: Quote, pdf: bytes) -> Quote:
    """Record that the quotation went to the customer some other way (handed over, sent
    from one's own mailbox): the PDF is kept as sent and the timeline says just that."""
    quote = _sendable(quote)
    quote.status = Quote.Status.SENT
    quote.save(update_fields=["status", "updated_at"])
    QuoteDocument.objects.create(quote=quote, pdf=pdf, created_by=_user(actor))
    interaction_log(
        actor=actor,
        customer=quote.customer,
        kind=Interaction.Kind.NOTE,
        summary=_("Quotation %(number)s marked as sent: %(total)s")
        % {"number": quote.number, "total": format_baht(quote.total)},
        body=_("Sent outside the app; valid until %(date)s. PDF kept with the quotation.")
        % {"date": format_date(quote.valid_until)},
    )
    _audit_status(actor, quote, Quote.Status.DRAFT)
    return quote


@transaction.atomic
def quote_accept(*, actor: User | None, quote: Quote, channel: str = Order.Channel.FIELD) -> Quote:
    """The customer said yes: an order at the quoted prices, and the deal is won."""
    quote = Quote.objects.select_for_update().select_related("deal").get(pk=quote.pk)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise ValidationError(
            {
                "status": _("This quotation is already %(status)s.")
                % {"status": quote.get_status_display()}
            }
        )
    if quote.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quotation has expired; make a new one.")})
    order, _created = order_record(
        actor=actor,
        customer=quote.customer,
        lines=_order_lines(quote),
        channel=channel,
        external_id=f"quote:{quote.number}",  # accepting twice never makes two orders
        sold_by=quote.deal.owner,
        note=_("From quotation %(number)s") % {"number": quote.number},
    )
    previous = quote.status
    quote.status = Quote.Status.ACCEPTED
    quote.order = order
    quote.save(update_fields=["status", "order", "updated_at"])
    won = quote.deal.pipeline.stages.filter(outcome=Stage.Outcome.WON).order_by("position").first()
    if won is not None and quote.deal.stage_id != won.pk:
        deal_move(
            actor=actor,
            deal=quote.deal,
            stage=won,
            reason=_("Quotation %(number)s accepted") % {"number": quote.number},
        )
    _audit_status(actor, quote, previous)
    return quote


def _order_lines(quote: Quote) -> list[LineInput]:
    """The quote's lines as order lines; the total discount shared out by amount, the last
    line taking the rounding so the order's revenue is the quote's net exactly."""
    lines = list(quote.lines.all())
    shares: list[Decimal] = []
    for line in lines:
        share = to_baht(quote.discount * line.amount / quote.subtotal) if quote.subtotal else ZERO
        shares.append(share)
    if shares:
        shares[-1] += quote.discount - sum(shares, ZERO)
    return [
        LineInput(
            line.product_id,
            line.quantity,
            line.unit_price,
            line.discount + share,
            price_includes_vat=False,
        )
        for line, share in zip(lines, shares, strict=True)
    ]


@transaction.atomic
def quote_reject(*, actor: User | None, quote: Quote) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise ValidationError(
            {
                "status": _("This quotation is already %(status)s.")
                % {"status": quote.get_status_display()}
            }
        )
    previous = quote.status
    quote.status = Quote.Status.REJECTED
    quote.save(update_fields=["status", "updated_at"])
    _audit_status(actor, quote, previous)
    return quote


def quotes_expire(*, today: dt.date | None = None) -> int:
    """Mark sent quotations past their date as expired (run daily by the worker)."""
    today = today or timezone.localdate()
    return Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today).update(
        status=Quote.Status.EXPIRED, updated_at=timezone.now()
    )


def _audit_status(actor: User | None, quote: Quote, previous: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=quote,
        customer_id=quote.customer_id,
        changes={"status": [previous, quote.status]},
    )


def _user(actor: User | None) -> Any:
    return actor if getattr(actor, "pk", None) else None
