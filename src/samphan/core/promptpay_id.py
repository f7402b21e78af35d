"""Who a PromptPay payment goes to: a Thai mobile number, a 13-digit national or tax ID,
or a 15-digit e-wallet ID. One rule for the QR code of a quotation (``sales.promptpay``)
and for the ID an admin types on the shop's settings page."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE_SUBTAG, TAX_ID_SUBTAG, EWALLET_SUBTAG = "01", "02", "03"
# Separators people type between digit groups; anything else left over is an error.
SEPARATORS = re.compile(r"[\s\-().]")
THAI_MOBILE = re.compile(r"(?:0|\+66|66)([689]\d{8})")


def promptpay_account(target: str) -> tuple[str, str]:
    """Sub-tag and value for the QR's tag 29: mobiles as 0066…, IDs as their bare digits;
    a ValueError for anything else."""
    cleaned = SEPARATORS.sub("", target)
    if mobile := THAI_MOBILE.fullmatch(cleaned):
        return MOBILE_SUBTAG, "0066" + mobile.group(1)
    if cleaned.isascii() and cleaned.isdigit():
        if len(cleaned) == 13:
            return TAX_ID_SUBTAG, cleaned
        if len(cleaned) == 15:
            return EWALLET_SUBTAG, cleaned
    raise ValueError(
        f"“{target}” is not a PromptPay target: expected a Thai mobile number, "
        "a 13-digit national or tax ID, or a 15-digit e-wallet ID."
    )


def clean_promptpay_id(raw: str) -> str:
    """The ID without the separators people type, or a ValidationError saying what it
    may be."""
    try:
        promptpay_account(raw or "")
    except ValueError:
        raise ValidationError(
            _(
                "A PromptPay ID is a Thai mobile number (081 234 5678), a 13-digit tax or "
                "ID card number, or a 15-digit e-wallet ID."
            ),
            code="promptpay_id",
        ) from None
    return SEPARATORS.sub("", raw)


def validate_promptpay_id(value: str) -> None:
    clean_promptpay_id(value)
