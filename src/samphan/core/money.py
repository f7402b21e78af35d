"""Money is Decimal baht with two places; never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

TWO_PLACES = Decimal("0.01")


def to_baht(value: Decimal | int | str) -> Decimal:
    number = value if type(value) is Decimal else Decimal(value)
    return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def format_baht(value: Decimal | int | str | None) -> str:
    """``฿1,234.50``; negative amounts as ``-฿1,234.50``."""
    if value is None:
        return ""
    amount = to_baht(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}฿{abs(amount):,.2f}"


def vat_rate() -> Decimal:
    return Decimal(settings.SAMPHAN_VAT_RATE)
