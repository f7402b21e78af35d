"""Issue 21, import speed: the import's contact check (``customers/imports/contacts.py``:
one parse per phone, a cache per distinct cell, a plain Thai number built without
``phonenumbers.parse``, one regular expression for most e-mails) takes exactly the
decisions of ``contact_value_normalise`` (Django's ``EmailValidator``, ``phonenumbers``)
on thousands of generated phones and hundreds of tricky e-mails, Thai domains included:
the same stored value, the same kind (a phone that is a mobile), the same refusal."""

import itertools
import random

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from samphan.customers.imports.contacts import _phone, contact_normalise
from samphan.customers.services.duplicates import contact_value_normalise


def _reference(kind, text):
    """What the mapping step decided before: Django's and phonenumbers' own path."""
    try:
        value = contact_value_normalise(kind, text)
    except ValidationError as error:
        return ("refused", error.message_dict["value"])
    if kind == "phone":
        number_type = phonenumbers.number_type(phonenumbers.parse(value, None))
        if number_type == phonenumbers.PhoneNumberType.MOBILE:
            kind = "mobile"
    return (kind, value)


def _ours(kind, text):
    try:
        return contact_normalise(kind, text)
    except ValidationError as error:
        return ("refused", error.message_dict["value"])


def _phones(count, seed):
    rng = random.Random(seed)
    starts = ["0", "0", "0", "+66", "+66 ", "+66-", "66", "00", "+1 ", "+44", "+", "0 ", ""]
    separators = ["", "", " ", "-", ".", "--", "  ", "/", "(", ")"]
    phones = []
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 12)))
        if rng.random() < 0.6:  # a Thai-looking number: mobile or Bangkok line
            digits = rng.choice(["6", "8", "9", "2", "3", "5", "7", "1", "0"]) + digits[1:]
        text = rng.choice(starts)
        for position, digit in enumerate(digits):
            if position and rng.random() < 0.25:
                text += rng.choice(separators)
            text += digit
        if rng.random() < 0.03:
            text += rng.choice([" ext 12", "x", "a", "#"])
        phones.append(text.strip() or "0")
    return phones


PHONES_WRITTEN = [
    "081-234-5678", "0812345678", "+66812345678", "+66 81 234 5678", "+66-81-234-5678",
    "081.234.5678", "02-123-4567", "021234567", "+6621234567", "053 123 456",
    "0812345", "08123456789", "+66 0812345678", "66812345678", "0066812345678",
    "(081) 234 5678", "081 234 5678 ต่อ 12", "+1 415 555 2671", "+44 20 7946 0958",
    "1234", "12345", "0000000000", "0 81 234 5678", "+66812345678999", "+6681234567",
    "0801234567", "0601234567", "0991234567", "0212345678", "1800123456", "080-000-0000",
]  # fmt: skip


@pytest.mark.parametrize("kind", ["mobile", "phone"])
def test_phones_are_decided_as_the_services_decide_them(kind):
    for text in PHONES_WRITTEN + _phones(3000, seed=21):
        assert _ours(kind, text) == _reference(kind, text), text


def test_phones_outside_thailand_are_decided_the_same():
    _phone.cache_clear()  # the region is part of the cache's key; start clean anyway
    with override_settings(SAMPHAN_PHONE_REGION="GB"):
        for text in PHONES_WRITTEN + _phones(500, seed=5):
            assert _ours("phone", text) == _reference("phone", text), text


LOCALS = [
    "a", "somchai", "Somchai.J", "s.j", "first.last+tag", "x_y", "o'brien", "a-b", "1",
    "!#$%&'*+/=?^_`{}|~", ".a", "a.", "a..b", "a b", "ส้มชาย", "\"quoted\"",
    "\"with space\"", "\"a@b\"", "\"bad\\", "\"\"", "", "a\nb", "\u017fomchai", "\u212aelvin",
    "a" * 64, "a" * 300, "ü", "name@", "(comment)a",
]  # fmt: skip
DOMAINS = [
    "example.com", "EXAMPLE.COM", "shop.co.th", "ร้านค้า.ไทย", "ตัวอย่าง.com", "mail.ไทย",
    "xn--12c1fe0br.xn--o3cw4h", "xn--o3cw4h", "a.b", "a.b1", "a.1b", "sub.-bad.com",
    "bad-.com", "-bad.com", "a..com", ".com", "com", "localhost", "LOCALHOST", "example.com.",
    "[127.0.0.1]", "[::1]", "[999.1.1.1]", "[IPv6:::1]", "a" * 63 + ".com", "a" * 64 + ".com",
    "x.co.th ", "ex_ample.com", "example.c", "example.com-", "example.xn--p1ai", "ไทย",
    "ก.ไทย", "例え.テスト", "exa mple.com", "@example.com", "example..com", "ex\u00a0.com",
]  # fmt: skip


def _emails():
    emails = [f"{local}@{domain}" for local, domain in itertools.product(LOCALS, DOMAINS)]
    emails += ["", "@", "a@", "@a.com", "plain", "a@b@c.com", "a@@b.com", "ก@ก.ไทย",
               "x" * 310 + "@example.com", "x" * 320 + "@example.com", "A@B.CO",
               "somchai@ร้าน.ไทย", "SOMCHAI@EXAMPLE.COM", "tab\t@example.com"]  # fmt: skip
    return [email for email in emails if email.strip() == email and email]


def test_e_mails_are_decided_as_djangos_validator_decides_them():
    emails = _emails()
    assert len(emails) > 500
    decided = {"accepted": 0, "refused": 0}
    for text in emails:
        ours = _ours("email", text)
        assert ours == _reference("email", text), text
        decided["refused" if ours[0] == "refused" else "accepted"] += 1
    assert decided["accepted"] > 100 and decided["refused"] > 100  # both sides tried
