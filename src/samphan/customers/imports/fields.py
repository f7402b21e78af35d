"""What a column of an import file can be: the fields a row fills, named as the services
take them, and the header names (Thai, English, Google Contacts, Outlook) that propose
each one."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samphan.customers.models import ConsentRecord, ContactPoint, Customer, CustomFieldDefinition

# Fields of the customer's own row (``customer_create(fields=...)``).
CUSTOMER_COLUMNS = (
    "title",
    "first_name",
    "last_name",
    "first_name_en",
    "last_name_en",
    "nickname",
    "birthday",
    "gender",
    "company_name",
    "job_title",
    "tax_id",
    "address",
    "province",
    "member_number",
    "notes",
)
# A whole name ("นางสาวสมหญิง ใจดี"), split into title, first and last name.
FULL_NAME = "full_name"
# Contact points (``customer_create(contact_points=[{"kind": ..., "value": ...}])``); a
# file may have several columns of each.
CONTACT_COLUMNS = (
    ContactPoint.Kind.MOBILE.value,
    ContactPoint.Kind.PHONE.value,
    ContactPoint.Kind.EMAIL.value,
    ContactPoint.Kind.LINE.value,
)
TAGS = "tags"
CUSTOM_PREFIX = "custom_fields."
# Consent only as the business already holds it: ``consent_<channel>_<purpose>`` says yes
# or no, ``consent_date`` when it was given (required) and ``consent_source`` how.
CONSENT_COLUMNS = tuple(
    f"consent_{channel}_{purpose}"
    for channel in ConsentRecord.Channel.values
    for purpose in ConsentRecord.Purpose.values
)
CONSENT_DATE, CONSENT_SOURCE = "consent_date", "consent_source"
# Fields a file may fill from several columns (each column adds one).
REPEATABLE = frozenset({*CONTACT_COLUMNS, TAGS})


def header_key(header: str) -> str:
    """A header as compared: case-folded, without spaces, punctuation or a column
    number ("E-mail 1 - Value" and "email value" are one key; Thai marks are kept)."""
    text = re.sub(r"(?<![^\W\d_])\d+(?![^\W\d_])", " ", unicodedata.normalize("NFC", header))
    return "".join(char for char in text.casefold() if unicodedata.category(char)[0] in "LNM")


def headers_signature(headers: Iterable[str]) -> str:
    """One key for a file's headers in their order, for finding a saved mapping."""
    joined = "\x1f".join(header_key(header) for header in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "title", "name prefix", "prefix", "salutation"),
    FULL_NAME: ("ชื่อ-นามสกุล", "ชื่อนามสกุล", "ชื่อเต็ม", "name", "full name", "display name"),
    "first_name": ("ชื่อ", "ชื่อจริง", "first name", "given name", "firstname"),
    "last_name": ("นามสกุล", "last name", "family name", "surname", "lastname"),
    "first_name_en": ("ชื่อภาษาอังกฤษ", "ชื่ออังกฤษ", "first name en", "first name english"),
    "last_name_en": ("นามสกุลภาษาอังกฤษ", "นามสกุลอังกฤษ", "last name en", "last name english"),
    "nickname": ("ชื่อเล่น", "nickname", "nick name"),
    "birthday": ("วันเกิด", "วันเดือนปีเกิด", "birthday", "birth date", "date of birth", "dob"),
    "gender": ("เพศ", "gender", "sex"),
    "company_name": (
        "บริษัท",
        "ชื่อบริษัท",
        "company",
        "company name",
        "organization name",
        "organisation",
    ),
    "job_title": ("ตำแหน่ง", "job title", "position", "organization title"),
    "tax_id": ("เลขผู้เสียภาษี", "เลขประจำตัวผู้เสียภาษี", "tax id", "tax number"),
    "address": ("ที่อยู่", "address", "address formatted", "home address", "home street"),
    "province": ("จังหวัด", "province", "address region", "home state"),
    "member_number": ("เลขสมาชิก", "รหัสสมาชิก", "member number", "member no", "member id"),
    "notes": ("หมายเหตุ", "บันทึก", "notes", "note", "remarks"),
    "mobile": ("มือถือ", "เบอร์มือถือ", "mobile", "mobile phone", "cell", "cell phone"),
    "phone": (
        "เบอร์โทร",
        "เบอร์โทรศัพท์",
        "โทรศัพท์",
        "โทร",
        "phone",
        "telephone",
        "tel",
        "phone value",
        "home phone",
        "business phone",
    ),
    "email": ("อีเมล", "อีเมล์", "email", "e-mail", "email value", "e-mail address", "mail"),
    "line": ("ไลน์", "ไอดีไลน์", "line", "line id", "lineid"),
    TAGS: ("แท็ก", "แท็ก", "ป้าย", "tags", "tag", "labels", "group membership", "categories"),
    CONSENT_DATE: ("consent date", "วันที่ให้ความยินยอม"),
    CONSENT_SOURCE: ("consent source", "ที่มาของความยินยอม"),
}
# Consent columns only by their explicit names ("consent_email_marketing").
SYNONYMS.update({name: (name,) for name in CONSENT_COLUMNS})

FIELD_BY_KEY: dict[str, str] = {
    header_key(synonym): field for field, synonyms in SYNONYMS.items() for synonym in synonyms
}


def custom_field_keys() -> dict[str, str]:
    """Header keys of the custom fields (their key, Thai label and English label)."""
    keys: dict[str, str] = {}
    for definition in CustomFieldDefinition.objects.all():
        for name in (definition.key, definition.label, definition.label_en):
            if name:
                keys.setdefault(header_key(name), CUSTOM_PREFIX + definition.key)
    return keys


def known_fields() -> frozenset[str]:
    """Every field a column may be mapped to."""
    custom = {
        CUSTOM_PREFIX + key for key in CustomFieldDefinition.objects.values_list("key", flat=True)
    }
    return frozenset(
        {
            *CUSTOMER_COLUMNS,
            FULL_NAME,
            *CONTACT_COLUMNS,
            TAGS,
            *CONSENT_COLUMNS,
            CONSENT_DATE,
            CONSENT_SOURCE,
            *custom,
        }
    )


def field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a column may fill, in groups for a select, labelled in the language of
    the request (each customer field by its own name)."""

    def label(name: str) -> str:
        return _first_upper(str(Customer._meta.get_field(name).verbose_name))  # type: ignore[union-attr]

    definitions = list(CustomFieldDefinition.objects.order_by("key"))
    consents = [
        (
            f"consent_{channel}_{purpose}",
            _("Consent: %(channel)s · %(purpose)s")
            % {"channel": channel_label, "purpose": purpose_label},
        )
        for channel, channel_label in ConsentRecord.Channel.choices
        for purpose, purpose_label in ConsentRecord.Purpose.choices
    ]
    return [
        (
            _("Customer"),
            [(FULL_NAME, _("Whole name, split up"))]
            + [(name, label(name)) for name in CUSTOMER_COLUMNS],
        ),
        (
            _("Contact"),
            [
                (str(kind), _first_upper(str(kind.label)))
                for kind in ContactPoint.Kind
                if kind.value in CONTACT_COLUMNS
            ]
            + [(TAGS, _("Tags (separated by commas)"))],
        ),
        (
            _("Custom fields"),
            [
                (CUSTOM_PREFIX + d.key, d.label_en if _use_english() and d.label_en else d.label)
                for d in definitions
            ],
        ),
        (
            _("Consent the business already holds"),
            [
                *consents,
                (CONSENT_DATE, _("Date the consent was given")),
                (CONSENT_SOURCE, _("How the consent was given")),
            ],
        ),
    ]


def _use_english() -> bool:
    return (get_language() or "th").startswith("en")


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]
