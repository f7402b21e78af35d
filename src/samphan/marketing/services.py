"""Writes of segments and static lists: checked first, written in one transaction, each
customer added to or removed from a list audited."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record_for_each
from samphan.core.csvfiles import CsvUnreadable, csv_dicts, csv_records
from samphan.core.models import AuditEvent
from samphan.core.phones import normalise_phone
from samphan.customers.models import ContactPoint, Customer
from samphan.marketing.models import Segment, SegmentMember
from samphan.marketing.rules import RuleError, check_rules

MAX_IMPORT_ROWS = 50_000
# Customers added a transaction by an import, so another writer waits for one batch at
# most, never for the whole file (docs/security.md).
IMPORT_BATCH = 2_000


def segment_save(
    *,
    actor: User | None,
    segment: Segment | None,
    name: str,
    description: str = "",
    kind: str = Segment.Kind.RULES,
    rules: Any = None,
) -> Segment:
    """Create or change a segment; ``ValidationError`` naming the field (``rules`` with
    the path of the bad part) and nothing written when something is wrong."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters.")
    elif Segment.objects.filter(name=name).exclude(pk=segment.pk if segment else 0).exists():
        errors["name"] = _("A segment with this name exists already.")
    if kind not in Segment.Kind.values:
        errors["kind"] = _("Choose rules or a static list.")
    if segment is not None and segment.kind != kind:
        errors["kind"] = _("A segment keeps its kind; make a new one instead.")
    if kind == Segment.Kind.RULES:
        rules = rules if rules is not None else {"match": "all", "rules": []}
        try:
            rules = check_rules(rules)
        except RuleError as error:
            errors["rules"] = f"{error.path}: {error.message}"
    else:
        rules = {"match": "all", "rules": []}
    if errors:
        raise ValidationError(errors)
    description = (description or "")[:300]
    if segment is not None and (segment.name, segment.description, segment.rules) == (
        name,
        description,
        rules,
    ):
        return segment  # unchanged: its saved count and "last updated" stay
    segment = segment or Segment(created_by=actor if getattr(actor, "pk", None) else None)
    segment.name, segment.description, segment.kind = name, description, kind
    segment.rules = rules
    segment.last_count = None
    segment.save()
    return segment


def segment_delete(*, actor: User | None, segment: Segment) -> None:
    if segment.campaigns.exists():
        raise ValidationError({"segment": _("Campaigns were sent to this segment; it stays.")})
    with transaction.atomic():
        members = SegmentMember.objects.filter(segment=segment)
        _audit_members(actor, segment, members, AuditEvent.Action.DELETE)
        segment.delete()


def _audit_members(
    actor: User | None, segment: Segment, members: QuerySet[SegmentMember], action: str
) -> None:
    audit_record_for_each(
        actor=actor,
        action=action,
        subject=segment,
        changes={"list": segment.name},
        rows=members,
    )


def _static(segment: Segment) -> None:
    if not segment.is_static:
        raise ValidationError({"segment": _("Customers are added to static lists only.")})


def members_add(*, actor: User, segment: Segment, customer_ids: list[int]) -> int:
    """Add the active customers among ``customer_ids`` whom ``actor`` may see; those on
    the list already stay as they are. Returns how many were added."""
    _static(segment)
    visible = Customer.objects.visible_to(actor).active().filter(pk__in=set(customer_ids))
    with transaction.atomic():
        present = set(
            SegmentMember.objects.filter(
                segment=segment, customer_id__in=set(customer_ids)
            ).values_list("customer_id", flat=True)
        )
        new_ids = [pk for pk in visible.values_list("pk", flat=True) if pk not in present]
        now = timezone.now()
        added_by = actor if getattr(actor, "pk", None) else None
        SegmentMember.objects.bulk_create(
            [SegmentMember(segment=segment, customer_id=pk, added_at=now, added_by=added_by)
             for pk in new_ids],
            batch_size=1_000,
        )  # fmt: skip
        added = SegmentMember.objects.filter(segment=segment, customer_id__in=new_ids)
        _audit_members(actor, segment, added, AuditEvent.Action.CREATE)
        Segment.objects.filter(pk=segment.pk).update(last_count=None)
    return len(new_ids)


def members_remove(*, actor: User, segment: Segment, customer_ids: list[int]) -> int:
    _static(segment)
    members = SegmentMember.objects.filter(
        segment=segment,
        customer_id__in=Customer.objects.visible_to(actor).filter(pk__in=set(customer_ids)),
    )
    with transaction.atomic():
        _audit_members(actor, segment, members, AuditEvent.Action.DELETE)
        removed, _counts = members.delete()
        Segment.objects.filter(pk=segment.pk).update(last_count=None)
    return removed


# -- CSV -----------------------------------------------------------------------------------------

ID_COLUMNS = ("customer_id", "member_number", "mobile", "phone", "email")


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


def members_import_csv(
    *, actor: User, segment: Segment, text: str, skip_invalid: bool = False
) -> ImportReport:
    """Add the customers a CSV file names, one a row, by the first of ``ID_COLUMNS`` the
    row fills in. Every row is looked up first; with any row that names nobody (or
    someone the user may not see) nothing is added, unless ``skip_invalid``."""
    _static(segment)
    report = ImportReport()
    try:
        records = csv_records(text)
    except CsvUnreadable as error:
        report.errors.append((error.row, error.column, error.message))
        return report
    header = [name.strip().lower() for name in records[0]] if records else []
    if not set(header) & set(ID_COLUMNS):
        report.errors.append(
            (1, ", ".join(ID_COLUMNS), _("The header row needs one of these columns."))
        )
        return report
    rows: list[dict[str, Any]] = list(csv_dicts(records, header))
    if len(rows) > MAX_IMPORT_ROWS:
        report.errors.append(
            (1, "", _("At most %(n)s rows a file.") % {"n": f"{MAX_IMPORT_ROWS:,}"})
        )
        return report
    found: dict[int, int] = {}  # row number → customer id
    lookups = _lookups(rows)
    named = {pk for by_value in lookups.values() for pk in by_value.values()}
    visible = set(
        Customer.objects.visible_to(actor).filter(pk__in=named).values_list("pk", flat=True)
    )
    for number, row in enumerate(rows, start=2):
        column, value = _identifier(row)
        if not column:
            report.errors.append((number, "", _("This row names no customer.")))
            continue
        customer_id = lookups[column].get(value)
        if customer_id is None or customer_id not in visible:
            report.errors.append((number, column, _("No customer you can see has this.")))
            continue
        found[number] = customer_id
    if report.errors and not skip_invalid:
        return report
    wanted = list(dict.fromkeys(found.values()))
    added = sum(
        members_add(actor=actor, segment=segment, customer_ids=wanted[start : start + IMPORT_BATCH])
        for start in range(0, len(wanted), IMPORT_BATCH)
    )
    report.added, report.already = added, len(wanted) - added
    return report


def _identifier(row: dict[str, Any]) -> tuple[str, str]:
    for column in ID_COLUMNS:
        value = (row.get(column) or "").strip()
        if value:
            if column in ("mobile", "phone"):
                return "phone", normalise_phone(value) or value
            return column, value.lower() if column == "email" else value
    return "", ""


def _lookups(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Each identifier the file holds → a customer id, with one query per kind of
    identifier, over active customers only (visibility is checked when adding)."""
    wanted: dict[str, set[str]] = {"customer_id": set(), "member_number": set(), "phone": set(),
                                   "email": set()}  # fmt: skip
    for row in rows:
        column, value = _identifier(row)
        if column:
            wanted[column].add(value)
    active = Customer.objects.active()
    found: dict[str, dict[str, int]] = {column: {} for column in wanted}
    ids = [value for value in wanted["customer_id"] if value.isdigit() and len(value) < 19]
    found["customer_id"] = {
        str(pk): pk for pk in active.filter(pk__in=ids).values_list("pk", flat=True)
    }
    numbers = active.filter(member_number__in=wanted["member_number"])
    found["member_number"] = {
        number: pk
        for number, pk in numbers.values_list("member_number", "pk")
        if number is not None
    }
    for column, kinds in (
        ("phone", [ContactPoint.Kind.MOBILE, ContactPoint.Kind.PHONE]),
        ("email", [ContactPoint.Kind.EMAIL]),
    ):
        points = ContactPoint.objects.filter(
            kind__in=kinds, value__in=wanted[column], customer__archived_at__isnull=True
        ).values_list("value", "customer_id")
        for value, customer_id in points:
            found[column].setdefault(value.lower() if column == "email" else value, customer_id)
    return found
