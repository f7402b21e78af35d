"""A contact cell's value as the import stores it, the same as ``contact_value_normalise``
decides (``tests/customers/imports/test_contacts.py`` compares the two on thousands of
phones and hundreds of tricky e-mails), at a fraction of its cost: an import checks
100,000 of them.

- A phone is parsed once (its E.164 form and whether it is a mobile from one parse), and
  the common forms of a home number (``081-234-5678``, ``0812345678``, ``+66 81 234
  5678``) skip ``phonenumbers.parse`` (the number is built from its digits and checked
  against the same metadata). Each distinct cell is worked out once per process.
- An e-mail is matched by one regular expression made of Django's own
  (``EmailValidator``'s user and domain patterns): what it accepts Django accepts;
  anything else (a literal address, ``localhost``, a refusal) is decided by Django's
  validator itself, so the decisions and messages are Django's.
"""

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.validators import validate_email

from samphan.customers.models import ContactPoint
from samphan.customers.services.duplicates import contact_value_normalise

PHONE_KINDS = frozenset(ContactPoint.PHONE_KINDS)
EMAIL = str(ContactPoint.Kind.EMAIL)
MOBILE = str(ContactPoint.Kind.MOBILE)
PHONE = str(ContactPoint.Kind.PHONE)
# A home number as people write it: digits with spaces, dashes or dots, a leading 0 (the
# national prefix) or + and the country code; anything else goes through phonenumbers.
PHONE_PLAIN = re.compile(r"^(?:0|\+(\d{1,3})[ .\-]?)([1-9][\d .\-]{5,20})\Z")
SEPARATORS = str.maketrans("", "", " .-")
EMAIL_MAX = 320  # as EmailValidator
CACHE_SIZE = 1 << 16
MOBILE_TYPE = phonenumbers.PhoneNumberType.MOBILE


def _email_pattern() -> re.Pattern[str]:
    """Django's user and domain patterns joined by the ``@``: the domain pattern admits no
    ``@``, so a match splits the address where ``EmailValidator`` does (the last one)."""
    user = validate_email.user_regex.pattern
    domain = validate_email.domain_regex.pattern
    user = user.removeprefix("(").removesuffix(")")  # the two alternatives, each ^…\Z
    alternatives = [part.removeprefix("^").removesuffix(r"\Z") for part in _top_split(user)]
    body = domain.removeprefix("^").removesuffix(r"\Z")
    return re.compile(
        "^(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")@" + body + r"\Z", re.IGNORECASE
    )


def _top_split(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (outside groups and classes)."""
    parts, depth, start, in_class, escaped = [], 0, 0, False, False
    for position, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:position])
            start = position + 1
    parts.append(pattern[start:])
    return parts


EMAIL_ACCEPTED = _email_pattern()


def contact_normalise(kind: str, text: str) -> tuple[str, str]:
    """(kind, stored value) of a stripped, non-empty contact cell: ``contact_value_normalise``'s
    value, and a phone that is a mobile becomes ``mobile`` (what an SMS can reach). Raises
    its ``ValidationError`` (``{"value": [...]}``) on the values it refuses."""
    if kind in PHONE_KINDS:
        found = _phone(text, settings.SAMPHAN_PHONE_REGION)
        if found is None:
            contact_value_normalise(kind, text)  # raises, with its message
            raise AssertionError(text)  # pragma: no cover: a number both refuse
        value, mobile = found
        return (MOBILE if kind == PHONE and mobile else kind), value
    if kind == EMAIL and len(text) <= EMAIL_MAX and EMAIL_ACCEPTED.match(text):
        return kind, text.lower()
    return kind, contact_value_normalise(kind, text)


@lru_cache(maxsize=CACHE_SIZE)
def _phone(text: str, region: str) -> tuple[str, bool] | None:
    """(E.164, is a mobile) of a phone cell, or None when ``normalise_phone`` refuses it."""
    plain = _phone_plain(text, region)
    if plain is not None:
        return plain
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.number_type(number) == MOBILE_TYPE


def _phone_plain(text: str, region: str) -> tuple[str, bool] | None:
    """(E.164, is a mobile) of a cell in a plain form for ``region`` (national prefix 0,
    or + and its country code), from its digits without parsing, when the number is valid
    (its type is known: what ``is_valid_number`` asks); None otherwise (then
    ``phonenumbers.parse`` decides)."""
    match = PHONE_PLAIN.match(text)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if match is None or metadata is None or metadata.national_prefix_for_parsing != "0":
        return None
    code, rest = match.groups()
    if code is not None and int(code) != metadata.country_code:
        return None
    digits = rest.translate(SEPARATORS)
    if not digits.isdigit():
        return None
    number = phonenumbers.PhoneNumber(
        country_code=metadata.country_code, national_number=int(digits)
    )
    number_type = phonenumbers.number_type(number)
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return f"+{metadata.country_code}{digits}", number_type == MOBILE_TYPE
