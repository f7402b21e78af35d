import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from samphan.core.dates import format_date, format_datetime
from samphan.core.money import format_baht
from samphan.core.phones import format_phone, normalise_phone, phone_search_digits
from samphan.core.tax_id import clean_thai_tax_id


@pytest.mark.parametrize(
    "typed", ["081-234-5678", "0812345678", "+66 81 234 5678", "+66812345678", "(081) 234 5678"]
)
def test_phone_forms_normalise_to_e164(typed):
    assert normalise_phone(typed) == "+66812345678"


def test_landline_and_foreign_numbers(db):
    assert normalise_phone("02-123-4567") == "+6621234567"
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"
    assert format_phone("+66812345678") == "081 234 5678"


@pytest.mark.parametrize("bad", ["12", "not a phone", "081-234", "+66 0000", "๐๘๑"])
def test_malformed_phone_is_rejected(bad):
    with pytest.raises(ValidationError):
        normalise_phone(bad)


def test_phone_search_digits():
    assert phone_search_digits("+66812345678") == "812345678"
    assert phone_search_digits("081-234-5678") == "812345678"
    assert phone_search_digits("5678") == "5678"
    assert phone_search_digits("567") is None
    assert phone_search_digits("สมชาย") is None


def test_tax_id_checksum():
    valid = "0105551234561"
    # Compute the expected check digit by the published algorithm, independently.
    total = sum(int(d) * w for d, w in zip(valid[:12], range(13, 1, -1), strict=True))
    valid = valid[:12] + str((11 - total % 11) % 10)
    assert clean_thai_tax_id(valid) == valid
    assert (
        clean_thai_tax_id(f"{valid[0]}-{valid[1:5]}-{valid[5:10]}-{valid[10:12]}-{valid[12]}")
        == valid
    )
    wrong = valid[:12] + str((int(valid[12]) + 1) % 10)
    with translation.override("en"), pytest.raises(ValidationError, match="check digit"):
        clean_thai_tax_id(wrong)
    for bad in ["123", "01055512345612", "abcdefghijklm", ""]:
        with pytest.raises(ValidationError):
            clean_thai_tax_id(bad)


def test_buddhist_era_dates():
    day = dt.date(2026, 11, 22)
    with translation.override("th"):
        assert format_date(day, buddhist_era=True) == "22 พ.ย. 2569"
    with translation.override("en"):
        assert format_date(day, buddhist_era=False) == "22 Nov 2026"
        assert format_date(day, buddhist_era=True) == "22 Nov 2569"
    moment = dt.datetime(2026, 11, 22, 3, 30, tzinfo=dt.UTC)
    with translation.override("th"):
        assert format_datetime(moment, buddhist_era=True) == "22 พ.ย. 2569 10:30"


def test_baht():
    assert format_baht(Decimal("1234.5")) == "฿1,234.50"
    assert format_baht(Decimal("-0.005")) == "-฿0.01"
    assert format_baht(0) == "฿0.00"
