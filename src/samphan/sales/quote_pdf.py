"""The quotation as a PDF, in Thai or English, with the amount in words and a PromptPay QR.

WeasyPrint lays text out with Pango and HarfBuzz, which place Thai vowels and tone marks
where they belong; the Thai fonts come from Debian's fonts-thai-tlwg.
"""

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from samphan.core.shop import shop_profile
from samphan.core.shop_logo import logo_data_uri
from samphan.core.thai_baht import baht_text, baht_text_en
from samphan.sales.models import Quote
from samphan.sales.promptpay import promptpay_payload, promptpay_qr_svg


def quote_context(quote: Quote, *, for_pdf: bool = False) -> dict[str, Any]:
    """What the quotation shows, for the PDF and the page alike (the PDF carries the logo
    inline: it fetches nothing)."""
    shop = shop_profile()
    with translation.override(quote.language):
        branch = shop.branch_label
    context: dict[str, Any] = {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "amount_in_words": baht_text(quote.total)
        if quote.language == "th"
        else baht_text_en(quote.total),
        "business": {
            "name": shop.name_in(quote.language),
            "address": shop.address,
            "tax_id": shop.tax_id,
            "branch": branch,
            "logo": logo_data_uri(shop.logo) if for_pdf else shop.logo_url,
        },
        "vat_percent": quote.vat_rate * 100,
        "promptpay_svg": "",
    }
    if shop.promptpay_id and quote.total > 0:
        payload = promptpay_payload(shop.promptpay_id, quote.total)
        context["promptpay_svg"] = mark_safe(promptpay_qr_svg(payload))  # noqa: S308 - built by segno
        context["promptpay_payload"] = payload
    return context


def quote_pdf(quote: Quote) -> bytes:
    from weasyprint import HTML  # heavy import (Pango); only where a PDF is made

    with translation.override(quote.language):
        html = render_to_string("sales/quote_pdf.html", quote_context(quote, for_pdf=True))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
