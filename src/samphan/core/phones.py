"""Thai-first phone numbers: stored as E.164, found by whatever digits staff type."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHONE_LIKE = re.compile(r"^[\d\s().+\-]+$")


def default_region() -> str:
    return settings.SAMPHAN_PHONE_REGION


def normalise_phone(raw: str) -> str:
    """Return ``raw`` as E.164 (``+66812345678``) or raise ValidationError."""
    try:
        number = phonenumbers.parse(raw.strip(), default_region())
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": raw}
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."),
            code="invalid_phone",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Thai numbers as phonenumbers writes them in the national format (its metadata for TH:
# Bangkok 2 + 7 digits as "02 123 4567", any other 8 or 9 digits not starting with 2 as
# "081 234 5678" / "053 123 456"), without its parse: a list of 25 rows spent a
# millisecond there. tests/core/test_phones.py compares the two over every shape.
_THAI = re.compile(r"\+66([13-9]\d{7,8}|2\d{7})")


def format_phone(e164: str) -> str:
    """National format for home numbers (081 234 5678), international for the rest."""
    thai = _THAI.fullmatch(e164)
    if thai and default_region() == "TH":
        digits = thai[1]
        if digits[0] == "2":
            return f"0{digits[0]} {digits[1:4]} {digits[4:]}"
        return f"0{digits[:2]} {digits[2:5]} {digits[5:]}"
    return _format_parsed(e164)


def _format_parsed(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == default_region()
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_search_digits(query: str) -> str | None:
    """The digits to look for when ``query`` looks like (part of) a phone number.

    A full number in any form (``081-234-5678``, ``+66 81 234 5678``) becomes its
    national significant number (``812345678``), which is a substring of every form
    we index; a shorter run of 4+ digits is searched as typed (a suffix).
    """
    query = query.strip()
    if not PHONE_LIKE.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < 4:
        return None
    try:
        number = phonenumbers.parse(query, default_region())
        if phonenumbers.is_valid_number(number):
            return str(number.national_number)
    except phonenumbers.NumberParseException:
        pass
    return digits


def phone_index_terms(e164: str) -> str:
    """Digit forms of a number written into the search document: 0812345678 66812345678."""
    digits = e164.lstrip("+")
    if e164.startswith("+66"):  # the common case, without a parse
        return f"0{digits[2:]} {digits}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return digits
    return f"0{number.national_number} {digits}"
