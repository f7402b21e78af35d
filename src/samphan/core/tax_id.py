"""Thailand's 13-digit tax identification number (เลขประจำตัวผู้เสียภาษี)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def thai_tax_id_check_digit(first_twelve: str) -> int:
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def clean_thai_tax_id(raw: str) -> str:
    """Strip spaces and dashes, then check length and the mod-11 check digit."""
    digits = re.sub(r"[\s\-]", "", raw or "")
    if not re.fullmatch(r"\d{13}", digits):
        raise ValidationError(_("A Thai tax ID has exactly 13 digits."), code="tax_id_length")
    if thai_tax_id_check_digit(digits[:12]) != int(digits[12]):
        raise ValidationError(
            _("This tax ID's check digit is wrong; please check the number."),
            code="tax_id_checksum",
        )
    return digits


def validate_thai_tax_id(value: str) -> None:
    clean_thai_tax_id(value)
