"""/api/v1 quotations: drafted from a deal, sent through the outbox or marked as sent (PDF
kept), accepted into an order."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.access import deal_for_user, quote_for_user
from samphan.sales.api.common import LineIn, lines_input, optional_money, router
from samphan.sales.models import Deal, Quote
from samphan.sales.quote_pdf import quote_pdf


class QuoteLineOut(Schema):
    product_id: int
    sku: str = Field(validation_alias="product.sku")
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


class QuoteOut(Schema):
    id: int
    number: str
    deal_id: int
    customer_id: int
    status: str
    issued_on: dt.date
    valid_until: dt.date
    language: str
    discount: Decimal
    vat_rate: Decimal
    subtotal: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal
    notes: str
    order_id: int | None
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(quote: Quote) -> list[Any]:
        return list(quote.lines.all())


class QuoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] | None = Field(
        None, max_length=200, description="the deal's products when left out; prices before VAT"
    )
    discount: Decimal | None = optional_money()
    valid_days: int = Field(30, ge=1, le=365)
    language: Annotated[str, OneOf(["th", "en"])] = "th"
    notes: Annotated[str, MaxChars(3000)] = ""


class QuotePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    discount: Decimal | None = optional_money()
    valid_until: IsoDate | None = None
    language: Annotated[str, OneOf(["th", "en"])] | None = None
    notes: Annotated[str, MaxChars(3000)] | None = None


class QuotePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[QuoteOut]


class QuoteParams(Schema):
    status: Annotated[str, OneOf(Quote.Status.values, blank=True)] = ""
    deal: Id | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


@router.get("/quotes", response={200: QuotePage, **ERRORS})
def quote_list(request: Request, params: Query[QuoteParams]) -> Any:
    require_perm(request.user, "sales.view_quote")
    quotes = queries.quote_list(request.user, status=params.status, deal=params.deal)
    return page_of(quotes, params.page, params.page_size)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **ERRORS})
def quote_get(request: Request, quote_id: Id) -> Any:
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")


@router.get("/quotes/{quote_id}/pdf", response={200: None, **ERRORS})
def quote_get_pdf(request: Request, quote_id: Id) -> HttpResponse:
    """The PDF (application/pdf): as sent, or as the draft stands."""
    quote = quote_for_user(request.user, quote_id, perm="sales.view_quote")
    sent = quote.documents.first()
    response = HttpResponse(
        bytes(sent.pdf) if sent else quote_pdf(quote), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{quote.number}.pdf"'
    return response


@router.post("/deals/{deal_id}/quotes", response={201: QuoteOut, **ERRORS})
def quote_create(request: Request, deal_id: Id, payload: QuoteIn) -> Any:
    deal = deal_for_user(request.user, deal_id, perm="sales.add_quote", queryset=Deal.objects.all())
    quote = services.quote_create(
        actor=request.user,
        deal=deal,
        lines=lines_input(payload.lines) if payload.lines is not None else None,
        discount=payload.discount,
        valid_days=payload.valid_days,
        language=payload.language,
        notes=payload.notes,
    )
    return Status(201, quote_for_user(request.user, quote.pk, perm="sales.view_quote"))


@router.patch("/quotes/{quote_id}", response={200: QuoteOut, **ERRORS})
def quote_update(request: Request, quote_id: Id, payload: QuotePatch) -> Any:
    """Change a draft; `lines` replaces its lines."""
    quote = quote_for_user(request.user, quote_id, perm="sales.change_quote")
    services.quote_update(
        actor=request.user,
        quote=quote,
        lines=lines_input(payload.lines),
        discount=payload.discount,
        valid_until=payload.valid_until,
        language=payload.language,
        notes=payload.notes,
    )
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")


class QuoteSendIn(Schema):
    model_config = ConfigDict(extra="forbid")
    channel: Annotated[str, OneOf(["email", "line"])]
    to: Annotated[str, MaxChars(320)] = Field(
        "", description="one of the customer's e-mail addresses; ignored for LINE"
    )
    idempotency_key: Annotated[str, MaxChars(64)] = Field(
        "", description="the same key again sends nothing more (a retried request)"
    )


@router.post("/quotes/{quote_id}/send", response={200: QuoteOut, **ERRORS})
def quote_send(request: Request, quote_id: Id, payload: QuoteSendIn) -> Any:
    """Send the PDF through the outbox: by e-mail as an attachment, by LINE as a signed
    link. `422` names `to` (not the customer's address, none, consent withdrawn) or
    `channel`; nothing is written then."""
    quote = quote_for_user(request.user, quote_id, perm="sales.change_quote")
    services.quote_send(
        actor=request.user,
        quote=quote,
        pdf=quote_pdf(quote),
        channel=payload.channel,
        to=payload.to,
        key=payload.idempotency_key,
    )
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")


@router.post("/quotes/{quote_id}/mark-sent", response={200: QuoteOut, **ERRORS})
def quote_mark_sent(request: Request, quote_id: Id) -> Any:
    """It went another way: the PDF is kept as sent and the timeline notes it; nothing is
    sent by the app."""
    quote = quote_for_user(request.user, quote_id, perm="sales.change_quote")
    services.quote_mark_sent(actor=request.user, quote=quote, pdf=quote_pdf(quote))
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")


@router.post("/quotes/{quote_id}/accept", response={200: QuoteOut, **ERRORS})
def quote_accept(request: Request, quote_id: Id) -> Any:
    """The customer accepted: an order at the quoted prices; the deal moves to won."""
    quote = quote_for_user(request.user, quote_id, perm="sales.change_quote")
    require_perm(request.user, "sales.add_order")
    services.quote_accept(actor=request.user, quote=quote)
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")


@router.post("/quotes/{quote_id}/reject", response={200: QuoteOut, **ERRORS})
def quote_reject(request: Request, quote_id: Id) -> Any:
    quote = quote_for_user(request.user, quote_id, perm="sales.change_quote")
    services.quote_reject(actor=request.user, quote=quote)
    return quote_for_user(request.user, quote_id, perm="sales.view_quote")
