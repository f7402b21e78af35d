"""Thai QR "PromptPay" payloads, so a customer can pay a quotation or invoice by scanning it.

The payload is the EMVCo merchant-presented QR format as the Bank of Thailand's Thai QR
Payment standard profiles it: tag-length-value fields closed by a CRC-16/CCITT-FALSE.
"""

from decimal import Decimal

import segno

from samphan.core.money import to_baht
from samphan.core.promptpay_id import promptpay_account

PROMPTPAY_AID = "A000000677010111"
THAI_BAHT_CURRENCY = "764"  # ISO 4217 numeric
MAX_AMOUNT_LENGTH = 13  # EMVCo caps tag 54 at 13 characters
QR_TARGET_PIXELS = 200


def _field(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _amount(amount: Decimal) -> str:
    rounded = to_baht(amount)
    if rounded <= 0:
        raise ValueError(f"A PromptPay amount must be positive, not {amount}.")
    text = f"{rounded:.2f}"
    if len(text) > MAX_AMOUNT_LENGTH:
        raise ValueError(f"{amount} is too large for a PromptPay amount.")
    return text


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _checksum(payload_with_crc_header: str) -> str:
    return f"{crc16_ccitt_false(payload_with_crc_header.encode('ascii')):04X}"


def promptpay_payload(target: str, amount: Decimal | None = None) -> str:
    """The text to put in the QR; without an amount the payer's app asks for one (static QR)."""
    subtag, account = promptpay_account(target)
    fields = [
        _field("00", "01"),
        _field("01", "11" if amount is None else "12"),
        _field("29", _field("00", PROMPTPAY_AID) + _field(subtag, account)),
        _field("58", "TH"),
        _field("53", THAI_BAHT_CURRENCY),
    ]
    if amount is not None:
        fields.append(_field("54", _amount(amount)))
    # The CRC covers its own tag and length ("6304"), so they are part of the checked text.
    payload = "".join(fields) + "6304"
    return payload + _checksum(payload)


def promptpay_crc_valid(payload: str) -> bool:
    """True when ``payload`` ends in a CRC field matching the rest (hex compared in any case)."""
    if len(payload) < 8 or payload[-8:-4] != "6304" or not payload.isascii():
        return False
    return _checksum(payload[:-4]) == payload[-4:].upper()


def promptpay_qr_svg(payload: str) -> str:
    """An inline ``<svg>`` about 200px square, to drop into a page or a WeasyPrint PDF."""
    qr = segno.make(payload, error="m", micro=False)
    modules, _ = qr.symbol_size(scale=1)
    return qr.svg_inline(scale=max(1, round(QR_TARGET_PIXELS / modules)))
