"""The mapping step of a customer import: a field proposed for each column from its
header, and a preview of the first rows as they would be saved, with each problem beside
its cell and what a row that matches an existing customer would do. A preview writes
nothing."""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.dates import DateTextError
from samphan.core.tax_id import clean_thai_tax_id
from samphan.core.thai import has_thai
from samphan.customers.imports.contacts import contact_normalise
from samphan.customers.imports.fields import (
    CONSENT_COLUMNS,
    CONSENT_DATE,
    CONSENT_SOURCE,
    CONTACT_COLUMNS,
    CUSTOM_PREFIX,
    CUSTOMER_COLUMNS,
    FIELD_BY_KEY,
    FULL_NAME,
    REPEATABLE,
    TAGS,
    custom_field_keys,
    header_key,
)
from samphan.customers.imports.readers import parse_import_date
from samphan.customers.models import ContactPoint, Customer, ImportMapping, Tag
from samphan.customers.services.custom_fields import custom_fields_clean
from samphan.customers.services.duplicates import duplicates_of

ROW = -1  # the key of a problem that belongs to the row, not to one cell
RECENT = dt.timedelta(days=2)

Policy = ImportMapping.Policy


def propose_mapping(headers: Sequence[str]) -> dict[int, str | None]:
    """A field for each column from its header (Thai or English, any case, spaces or
    punctuation; Google Contacts and Outlook names), or None. A field that takes one
    value goes to the first column that names it; custom fields by their key or label."""
    known = {**FIELD_BY_KEY, **custom_field_keys()}
    proposed: dict[int, str | None] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = known.get(header_key(header))
        if name and name in taken and name not in REPEATABLE:
            name = None
        if name:
            taken.add(name)
        proposed[index] = name
    # A full name column only when no column gives the first name itself.
    if "first_name" in taken:
        proposed = {i: (None if f == FULL_NAME else f) for i, f in proposed.items()}
    return proposed


def parse_day_first(text: str) -> dt.date | None:
    """A day as import files write it (``readers.parse_import_date``: day first, B.E. or
    A.D., Thai or English month names: 23/05/2526, 23 พ.ค. 2526, 1983-05-23), or None."""
    try:
        return parse_import_date(text)
    except DateTextError:
        return None


@dataclass
class RowPreview:
    """One row as it would be saved. ``problems`` maps a column index (``ROW`` for the
    row as a whole) to its messages; ``action`` is what the import would do: ``create``,
    ``skip``, ``fill``, ``update``, ``duplicate`` (created, flagged for review) or
    ``fail``. ``match`` is a customer with the same phone or e-mail whom the user may
    see; ``changes`` the fields ``fill`` or ``update`` would change (old, new)."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    contact_points: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    problems: dict[int, list[str]] = field(default_factory=dict)
    match: Customer | None = None
    action: str = "create"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def problem(self, column: int, message: str) -> None:
        self.problems.setdefault(column, []).append(message)


TITLES = (
    "นางสาว",
    "นาง",
    "นาย",
    "ดร.",
    "ด.ช.",
    "ด.ญ.",
    "คุณ",
    "mrs.",
    "mrs",
    "mr.",
    "mr",
    "ms.",
    "ms",
    "miss",
    "dr.",
    "dr",
)  # longest first where one begins another
GENDERS = {
    "ชาย": "male", "male": "male", "m": "male", "ผู้ชาย": "male",
    "หญิง": "female", "female": "female", "f": "female", "ผู้หญิง": "female",
    "อื่นๆ": "other", "อื่น": "other", "other": "other",
}  # fmt: skip
YES = {"yes", "y", "true", "1", "ใช่", "ยินยอม", "granted", "ได้"}
NO = {"no", "n", "false", "0", "ไม่", "ไม่ยินยอม", "withdrawn", "ไม่ได้"}
TAG_SPLIT = re.compile(r"\s*(?:,|;|:::|、)\s*")
TAG_MAX = Tag._meta.get_field("name").max_length or 50
CONTACT_SPLIT = re.compile(r"\s*[,;]\s*")
CONTACT_MAX = ContactPoint._meta.get_field("value").max_length or 300


def _max_length(name: str) -> int | None:
    return Customer._meta.get_field(name).max_length  # type: ignore[union-attr]


def split_full_name(text: str) -> tuple[str, str, str]:
    """(title, first name, last name) of a whole name: "นางสาวสมหญิง ใจดี", "Mr John Smith"."""
    text = " ".join(text.split())
    title = ""
    for candidate in TITLES:
        if text.casefold().startswith(candidate) and len(text) > len(candidate):
            rest = text[len(candidate) :]
            latin = candidate.isascii()
            if latin and rest[0] not in " .":  # "Mrs" is not the start of "Mrsmith"
                continue
            title, text = text[: len(candidate)], rest.lstrip(" .")
            break
    first, _space, last = text.partition(" ")
    return title, first, last


def preview_rows(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: dict[int, str | None],
    *,
    existing_policy: str,
    user: User,
    limit: int = 20,
    parse_date: Callable[[str], dt.date | None] = parse_day_first,
    line_numbers: Sequence[int] | None = None,
) -> list[RowPreview]:
    """The first ``limit`` rows as they would be saved by ``user`` with ``mapping`` and
    ``existing_policy``. Matches are looked up among the customers the user may see only:
    one they cannot see is never named (the import flags such a row for review, as
    ``customer_create`` does). Reads only."""
    if existing_policy not in Policy.values:
        raise ValidationError({"existing_policy": _("Choose what a matching row does.")})
    previews = []
    for position, row in enumerate(rows[:limit]):
        line = line_numbers[position] if line_numbers else position + 2  # after the headers
        previews.append(_row_preview(line, row, mapping, parse_date))
    _matches_find(previews, mapping, user, first_only=existing_policy == Policy.CREATE)
    for preview in previews:
        preview.action = _action(preview, existing_policy)
    return previews


def _row_preview(
    line: int,
    row: Sequence[str],
    mapping: dict[int, str | None],
    parse_date: Callable[[str], dt.date | None],
) -> RowPreview:
    preview = RowPreview(line=line)
    columns: dict[str, int] = {}
    consent_values: list[tuple[int, str, str]] = []
    consent_day: dt.date | None = None
    consent_source, consent_date_bad = "", False
    for index, name in sorted(mapping.items()):
        raw = row[index] if index < len(row) else ""
        text = (raw or "").strip()
        if not name or not text:
            continue
        columns.setdefault(name, index)
        if name in CUSTOMER_COLUMNS:
            _customer_cell(preview, index, name, text, parse_date)
        elif name == FULL_NAME:
            if "first_name" not in mapping.values():
                _full_name_cell(preview, index, text)
        elif name in CONTACT_COLUMNS:
            _contact_cell(preview, index, name, text)
        elif name == TAGS:
            _tags_cell(preview, index, text)
        elif name.startswith(CUSTOM_PREFIX):
            _custom_cell(preview, index, name.removeprefix(CUSTOM_PREFIX), text, parse_date)
        elif name in CONSENT_COLUMNS:
            consent_values.append((index, name, text))
        elif name == CONSENT_DATE:
            consent_day = parse_date(text)
            if consent_day is None:
                preview.problem(index, _date_message(text))
                consent_date_bad = True
        elif name == CONSENT_SOURCE:
            consent_source = text
    _consents(preview, consent_values, consent_day, consent_source, told=consent_date_bad)
    _latin_names(preview)
    if (
        not (
            preview.fields.get("first_name")
            or preview.fields.get("first_name_en")
            or preview.fields.get("nickname")
        )
        and not preview.problems
    ):
        column = next(
            (columns[n] for n in ("first_name", FULL_NAME, "nickname") if n in columns), ROW
        )
        preview.problem(column, _("Enter a first name or a nickname."))
    return preview


def _date_message(text: str) -> str:
    return _("“%(value)s” is not a date; write the day first, e.g. 23/05/2526.") % {"value": text}


def _too_long(preview: RowPreview, index: int, text: str, limit: int | None) -> bool:
    if limit and len(text) > limit:
        preview.problem(index, _("At most %(limit)s characters (this has %(count)s).")
                        % {"limit": limit, "count": len(text)})  # fmt: skip
        return True
    return False


def _customer_cell(
    preview: RowPreview,
    index: int,
    name: str,
    text: str,
    parse_date: Callable[[str], dt.date | None],
) -> None:
    if name == "birthday":
        day = parse_date(text)
        if day is None:
            preview.problem(index, _date_message(text))
        # The local date is at most a day from UTC's: only a recent day needs it.
        elif day >= timezone.now().date() - RECENT and day > timezone.localdate():
            preview.problem(index, _("A birthday cannot be in the future."))
        else:
            preview.fields[name] = day
        return
    if name == "gender":
        gender = GENDERS.get(text.casefold())
        if gender is None:
            preview.problem(index, _("“%(value)s” is not a gender (ชาย, หญิง, male, female, other).")
                            % {"value": text})  # fmt: skip
        else:
            preview.fields[name] = gender
        return
    if name == "tax_id":
        try:
            preview.fields[name] = clean_thai_tax_id(text)
        except ValidationError as error:
            preview.problem(index, error.messages[0])
        return
    if _too_long(preview, index, text, _max_length(name)):
        return
    preview.fields[name] = text


def _full_name_cell(preview: RowPreview, index: int, text: str) -> None:
    title, first, last = split_full_name(text)
    for name, value in (("title", title), ("first_name", first), ("last_name", last)):
        if value and not _too_long(preview, index, value, _max_length(name)):
            preview.fields.setdefault(name, value)


def _contact_cell(preview: RowPreview, index: int, kind: str, text: str) -> None:
    # A vCard cell holds all of a card's phones (or e-mails) joined by ", ": one each.
    for value in CONTACT_SPLIT.split(text):
        if value:
            _contact_value(preview, index, kind, value)


def _contact_value(preview: RowPreview, index: int, kind: str, text: str) -> None:
    if _too_long(preview, index, text, CONTACT_MAX):
        return
    try:  # a phone that is a mobile becomes one (what an SMS can reach)
        kind, value = contact_normalise(kind, text)
    except ValidationError as error:
        for message in error.message_dict["value"]:
            preview.problem(index, message)
        return
    contact = {"kind": str(kind), "value": value}
    if contact not in preview.contact_points:
        preview.contact_points.append(contact)


def _tags_cell(preview: RowPreview, index: int, text: str) -> None:
    if text[0] in "[{(\"'" or "\n" in text or "|" in text:
        preview.problem(index, _("Separate tags with commas, e.g. VIP, ลูกค้าประจำ."))
        return
    for name in TAG_SPLIT.split(text):
        name = name.strip()
        if not name or name.startswith("*"):  # Google's "* myContacts" is not a tag
            continue
        if len(name) > TAG_MAX:
            preview.problem(index, _("A tag has at most %(limit)s characters: “%(tag)s”.")
                            % {"limit": TAG_MAX, "tag": name})  # fmt: skip
        elif name not in preview.tags:
            preview.tags.append(name)


def _custom_cell(
    preview: RowPreview,
    index: int,
    key: str,
    text: str,
    parse_date: Callable[[str], dt.date | None],
) -> None:
    value: Any = text
    try:
        cleaned = custom_fields_clean({key: value})
    except ValidationError as error:
        day = parse_date(text)  # a date field takes the file's day-first dates too
        if day is None:
            for message in error.message_dict["custom_fields"]:
                preview.problem(index, message)
            return
        cleaned = custom_fields_clean({key: day.isoformat()})
    preview.fields.setdefault("custom_fields", {}).update(cleaned)


def _consents(
    preview: RowPreview,
    values: list[tuple[int, str, str]],
    day: dt.date | None,
    source: str,
    *,
    told: bool,
) -> None:
    for index, name, text in values:
        _prefix, channel, purpose = name.split("_")
        answer = text.casefold()
        if answer not in YES | NO:
            preview.problem(
                index, _("Write yes or no for a consent, not “%(value)s”.") % {"value": text}
            )
            continue
        if day is None:
            # Consent is never invented: without when it was given it is not recorded.
            if not told:
                preview.problem(
                    index, _("A consent needs the date it was given (a consent date column).")
                )
            continue
        preview.consents.append(
            {
                "channel": channel,
                "purpose": purpose,
                "status": "granted" if answer in YES else "withdrawn",
                "at": day,
                "source": "import",
                "wording_version": source[:20],
            }
        )


def _latin_names(preview: RowPreview) -> None:
    """A first or last name in Latin letters goes to the Latin name fields."""
    fields = preview.fields
    for thai, latin in (("first_name", "first_name_en"), ("last_name", "last_name_en")):
        value = fields.get(thai, "")
        if value and not has_thai(value) and not fields.get(latin):
            fields[latin] = fields.pop(thai)


def _matches_find(
    previews: list[RowPreview], mapping: dict[int, str | None], user: User, *, first_only: bool
) -> None:
    """The visible customer each row matches (same phone or e-mail), in three queries
    whatever the number of rows (the customers, their contact points and tags). With
    ``first_only`` (policy create) a phone or e-mail several customers hold matches the
    first of them, as a repeat created anyway within one batch does (``Batch``)."""
    pairs = [(c["kind"], c["value"]) for p in previews if not p.problems for c in p.contact_points]
    customers: Iterable[Customer] = (
        duplicates_of(pairs).visible_to(user).prefetch_related("contact_points", "tags")
        if pairs
        else []
    )
    by_value: dict[str, list[Customer]] = {}
    for customer in sorted(customers, key=lambda customer: customer.pk):
        for point in customer.contact_points.all():
            holders = by_value.setdefault(point.value, [])
            if not (first_only and holders):
                holders.append(customer)
    for preview in previews:
        found: dict[int, Customer] = {}
        for contact in preview.contact_points:
            for customer in by_value.get(contact["value"], []):
                found[customer.pk] = customer
        if len(found) > 1:
            column = next((i for i, f in mapping.items() if f in CONTACT_COLUMNS), ROW)
            preview.problem(column, _("These contacts belong to %(count)s different customers; merge them first.")
                            % {"count": len(found)})  # fmt: skip
        elif found:
            preview.match = next(iter(found.values()))


def _action(preview: RowPreview, policy: str) -> str:
    if preview.problems:
        return "fail"
    existing = preview.match
    if existing is None:
        return "create"
    if policy == Policy.SKIP:
        return "skip"
    if policy == Policy.CREATE:
        return "duplicate"
    for name, value in preview.fields.items():
        old = getattr(existing, name)
        if name == "custom_fields":
            merged = {**value, **old} if policy == Policy.FILL else {**old, **value}
            if merged != old:
                preview.changes[name] = (old, merged)
        elif old in ("", None) or (policy == Policy.UPDATE and old != value):
            preview.changes[name] = (old, value)
    have = {contact.value for contact in existing.contact_points.all()}
    added = [c["value"] for c in preview.contact_points if c["value"] not in have]
    if added:
        preview.changes["contact_points"] = (sorted(have), sorted(have | set(added)))
    tags = {tag.name for tag in existing.tags.all()}
    if set(preview.tags) - tags:
        preview.changes["tags"] = (sorted(tags), sorted(tags | set(preview.tags)))
    return str(policy)
