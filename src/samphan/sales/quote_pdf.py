"""The quotation as a PDF, in Thai or English, with the amount in words and a PromptPay QR.

WeasyPrint lays text out with Pango and HarfBuzz, which place Thai vowels and tone marks
where they belong; the Thai fonts come from Debian's fonts-thai-tlwg.
"""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from samphan.core.thai_baht import baht_text, baht_text_en
from samphan.sales.models import Quote
from samphan.sales.promptpay import promptpay_payload, promptpay_qr_svg


def quote_context(quote: Quote) -> dict[str, Any]:
    """What the quotation shows, for the PDF and the page alike."""
    context: dict[str, Any] = {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "amount_in_words": baht_text(quote.total)
        if quote.language == "th"
        else baht_text_en(quote.total),
        "business": {
            "name": settings.SAMPHAN_BUSINESS_NAME,
            "address": settings.SAMPHAN_BUSINESS_ADDRESS,
            "tax_id": settings.SAMPHAN_BUSINESS_TAX_ID,
        },
        "vat_percent": quote.vat_rate * 100,
        "promptpay_svg": "",
    }
    if settings.SAMPHAN_PROMPTPAY_ID and quote.total > 0:
        payload = promptpay_payload(settings.SAMPHAN_PROMPTPAY_ID, quote.total)
        context["promptpay_svg"] = mark_safe(promptpay_qr_svg(payload))  # noqa: S308 - built by segno
        context["promptpay_payload"] = payload
    return context


def quote_pdf(quote: Quote) -> bytes:
    from weasyprint import HTML  # heavy import (Pango); only where a PDF is made

    with translation.override(quote.language):
        html = render_to_string("sales/quote_pdf.html", quote_context(quote))
    return HTML(string=html).write_pdf()
