import re
from decimal import Decimal

import pytest
import segno

from samphan.sales.promptpay import (
    crc16_ccitt_false,
    promptpay_crc_valid,
    promptpay_payload,
    promptpay_qr_svg,
)

MOBILE_STATIC = "00020101021129370016A000000677010111011300668123456785802TH53037646304"


def test_crc_matches_the_published_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(
    "mobile", ["081-234-5678", "0812345678", "+66812345678", "+66 81 234 5678"]
)
def test_mobile_number_in_any_form(mobile):
    payload = promptpay_payload(mobile)
    assert payload.startswith(MOBILE_STATIC)
    # The value widely published for this number by other PromptPay libraries.
    assert payload == MOBILE_STATIC + "5D82"


def test_amount_makes_a_dynamic_qr():
    payload = promptpay_payload("0812345678", Decimal("100"))
    assert payload[6:12] == "010212"
    assert "5406100.00" in payload
    assert payload.endswith("6304BB8A")


def test_amount_is_rounded_to_two_places():
    assert "540512.35" in promptpay_payload("0812345678", Decimal("12.345"))


@pytest.mark.parametrize(
    ("target", "account_field"),
    [
        ("1234567890123", "02131234567890123"),
        ("1-2345-67890-12-3", "02131234567890123"),
        ("123456789012345", "0315123456789012345"),
    ],
)
def test_tax_id_and_ewallet_targets(target, account_field):
    payload = promptpay_payload(target)
    assert f"0016A000000677010111{account_field}5802TH" in payload
    assert promptpay_crc_valid(payload)


@pytest.mark.parametrize(
    "bad",
    ["", "081234567a", "081-234-567", "123456789", "123456789012", "02-123-4567", "๐๘๑๒๓๔๕๖๗๘"],
)
def test_invalid_targets_are_rejected(bad):
    with pytest.raises(ValueError, match="not a PromptPay target"):
        promptpay_payload(bad)


@pytest.mark.parametrize("amount", ["0", "-1", "0.004"])
def test_non_positive_amounts_are_rejected(amount):
    with pytest.raises(ValueError, match="must be positive"):
        promptpay_payload("0812345678", Decimal(amount))


def test_crc_detects_tampering():
    payload = promptpay_payload("0812345678", Decimal("1500"))
    assert promptpay_crc_valid(payload)
    tampered = payload.replace("1500.00", "1600.00")
    assert not promptpay_crc_valid(tampered)
    assert not promptpay_crc_valid(payload[:-4] + "0000")
    assert not promptpay_crc_valid(payload[:-8])


def test_qr_svg_is_inline_and_payload_sized():
    payload = promptpay_payload("0812345678", Decimal("1234.50"))
    svg = promptpay_qr_svg(payload)
    assert svg.startswith("<svg")
    modules, _ = segno.make(payload, error="m", micro=False).symbol_size(scale=1)
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert width % modules == 0
    assert 150 <= width <= 250
