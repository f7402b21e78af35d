"""format_phone's shortcut for Thai numbers writes what phonenumbers writes."""

import random

import phonenumbers

from samphan.core import phones


def by_phonenumbers(e164: str, region: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def shapes() -> list[str]:
    """Every first digit at every length from 3 to 12 digits, a few each, and others."""
    rng = random.Random(22)
    numbers = [
        "+66" + first + "".join(rng.choice("0123456789") for _ in range(length - 1))
        for first in "0123456789"
        for length in range(3, 13)
        for _ in range(20)
    ]
    return [*numbers, "+66", "+66 81 234 5678", "+6681234567x", "+442079460958", "", "nope"]


def test_thai_numbers_are_written_as_phonenumbers_writes_them() -> None:
    for e164 in shapes():
        assert phones.format_phone(e164) == by_phonenumbers(e164, "TH"), e164
    assert phones.format_phone("+66812345678") == "081 234 5678"
    assert phones.format_phone("+6621234567") == "02 123 4567"
    assert phones.format_phone("+6653123456") == "053 123 456"


def test_elsewhere_thai_numbers_are_international(settings) -> None:
    settings.SAMPHAN_PHONE_REGION = "GB"
    assert phones.format_phone("+66812345678") == "+66 81 234 5678"
    assert phones.format_phone("+442079460958") == "020 7946 0958"
