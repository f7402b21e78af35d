"""Quotations: from a deal, edited as a draft, sent as a PDF, accepted into an order."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.access import deal_for_user, quote_for_user
from samphan.sales.forms import OrderLineFormSet, QuoteForm, QuoteSendForm
from samphan.sales.models import Deal, DealLine, Quote, QuoteDocument, QuoteLine
from samphan.sales.quote_delivery import document_of, quote_courier_or_none
from samphan.sales.quote_pdf import quote_context, quote_pdf
from samphan.sales.views.orders import line_form_errors


@login_required
def quote_list(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_quote")
    status = request.GET.get("status", "")
    status = status if status in Quote.Status.values else ""
    context = {
        "page": paginate(request, queries.quote_list(request.user, status=status)),
        "status": status,
        "statuses": Quote.Status.choices,
    }
    return render(request, "sales/quote_list.html", context)


@login_required
def quote_form(request: Request, deal_pk: int | None = None, pk: int | None = None) -> HttpResponse:
    """A new quotation for a deal (its products filled in), or a draft to change."""
    quote = quote_for_user(request.user, pk, perm="sales.change_quote") if pk else None
    deal = (
        quote.deal if quote else deal_for_user(request.user, deal_pk or 0, perm="sales.add_quote")
    )
    initial = _initial(quote, deal)
    form = QuoteForm(request.POST or None, initial=initial["quote"])
    lines = OrderLineFormSet(request.POST or None, prefix="lines", initial=initial["lines"])
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        inputs = [line for line in (f.line_input() for f in lines.forms) if line]
        data = form.cleaned_data
        try:
            if quote:
                services.quote_update(
                    actor=request.user,
                    quote=quote,
                    lines=inputs,
                    discount=data["discount"],
                    valid_until=data["valid_until"],
                    language=data["language"],
                    notes=data["notes"],
                )
            else:
                days = (data["valid_until"] - timezone.localdate()).days
                quote = services.quote_create(
                    actor=request.user,
                    deal=deal,
                    lines=inputs,
                    discount=data["discount"],
                    valid_days=days,
                    language=data["language"],
                    notes=data["notes"],
                )
        except ValidationError as error:
            line_form_errors(form, lines, error)
        else:
            messages.success(request, _("Quotation %(number)s saved.") % {"number": quote.number})
            return redirect("quote_detail", pk=quote.pk)
    context = {"form": form, "lines": lines, "deal": deal, "quote": quote}
    return render(request, "sales/quote_form.html", context)


def _initial(quote: Quote | None, deal: Deal) -> dict[str, Any]:
    rows: QuerySet[QuoteLine] | QuerySet[DealLine]
    if quote:
        rows = quote.lines.all()
        values = {
            "valid_until": quote.valid_until,
            "discount": quote.discount,
            "language": quote.language,
            "notes": quote.notes,
        }
    else:
        rows = deal.lines.all()
        values = {
            "valid_until": timezone.localdate() + dt.timedelta(days=services.DEFAULT_VALID_DAYS),
            "language": "th",
        }
    lines = [
        {
            "product": row.product_id,
            "quantity": row.quantity,
            "unit_price": row.unit_price if quote else None,
            "discount": row.discount,
        }
        for row in rows
    ]
    return {"quote": values, "lines": lines}


@login_required
def quote_detail(request: Request, pk: int, send_form: QuoteSendForm | None = None) -> HttpResponse:
    quote = quote_for_user(request.user, pk, perm="sales.view_quote")
    courier = quote_courier_or_none()
    addresses = courier.addresses(quote.customer) if courier else {}
    shown = quote_context(quote)
    context = {
        **shown,
        # No discount column when no line has one: on a phone the product needs the room.
        "line_discounts": any(line.discount for line in shown["lines"]),
        "documents": quote.documents.only("id", "created_at"),
        "send_form": send_form or QuoteSendForm(emails=addresses.get("email", [])),
        "emails": addresses.get("email", []),
        "line_linked": bool(addresses.get("line")),
        "sending_open": send_form is not None,
    }
    return render(request, "sales/quote_detail.html", context)


@login_required
@require_POST
def quote_send(request: Request, pk: int) -> HttpResponse:
    """Send the PDF through the outbox; a refusal (no address, consent withdrawn) comes
    back beside the field and nothing is written."""
    quote = quote_for_user(request.user, pk, perm="sales.change_quote")
    courier = quote_courier_or_none()
    emails = courier.addresses(quote.customer).get("email", []) if courier else []
    form = QuoteSendForm(request.POST, emails=emails)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.quote_send(
                actor=request.user,
                quote=quote,
                pdf=quote_pdf(quote),
                channel=data["channel"],
                to=data["to"],
                key=data["key"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _sent_message(data["channel"], data["to"]))
            return redirect("quote_detail", pk=pk)
    return quote_detail(request, pk, send_form=form)


def _sent_message(channel: str, to: str) -> str:
    if channel == "line":
        return _("Quotation queued to go by LINE; the customer's timeline shows how it went.")
    return _(
        "Quotation queued to go by e-mail to %(to)s; the customer's timeline shows how it went."
    ) % {"to": to}


@login_required
def quote_download(request: Request, pk: int) -> HttpResponse:
    """The PDF: as it was sent when it was, else as the draft stands now."""
    quote = quote_for_user(request.user, pk, perm="sales.view_quote")
    sent = QuoteDocument.objects.filter(quote=quote).first()
    pdf = bytes(sent.pdf) if sent else quote_pdf(quote)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{quote.number}.pdf"'
    return response


@login_required
@require_POST
def quote_action(request: Request, pk: int, action: str) -> HttpResponse:
    quote = quote_for_user(request.user, pk, perm="sales.change_quote")
    try:
        if action == "mark-sent":
            services.quote_mark_sent(actor=request.user, quote=quote, pdf=quote_pdf(quote))
            messages.success(
                request, _("Marked as sent (nothing was sent by the app); the PDF is kept.")
            )
        elif action == "accept":
            require_perm(request.user, "sales.add_order")
            quote = services.quote_accept(actor=request.user, quote=quote)
            messages.success(
                request,
                _("Accepted: order %(number)s made and the deal won.") % {"number": quote.order},
            )
        elif action == "reject":
            services.quote_reject(actor=request.user, quote=quote)
            messages.success(request, _("Marked as rejected."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("quote_detail", pk=pk)


def quote_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF as sent, from the signed link in a LINE message (no login)."""
    document = document_of(token)
    if document is None:
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.quote.number}.pdf"'
    response["X-Robots-Tag"] = "noindex"
    return response
