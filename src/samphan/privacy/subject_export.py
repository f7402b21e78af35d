"""Access and portability (PDPA s.30, s.31): everything Samphan holds about one person,
as a ZIP built in memory from the registry.

- ``data.json``: machine-readable, one list of rows per model (the registry's label);
- one CSV per model, headers in Thai and English, through ``core.exports`` (no cell can
  become a formula);
- the photo, when there is one;
- ``README.txt`` in Thai and English: what each file holds, why and on which basis.

A person's data is small (hundreds of rows), so the ZIP is built in memory; every export
is written to the audit log (who, when, how many rows) in the same transaction.
"""

import datetime as dt
import io
import json
import uuid
import zipfile
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.exports import csv_text
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.privacy.registry import BASIS_LABELS, PersonalData, about_customers

# Columns that say nothing to the person, or are bytes (the PDFs are in the app).
SKIPPED_TYPES = (models.BinaryField,)
SKIPPED_NAMES = frozenset({"search_document", "consent_bits", "sender_hash", "key_hash"})
README_LANGUAGES = ("th", "en")


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if not isinstance(field, SKIPPED_TYPES) and field.name not in SKIPPED_NAMES
    ]


def _plain(value: Any) -> Any:
    """A JSON-friendly value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _header(field: models.Field[Any, Any]) -> str:
    names = []
    for language in README_LANGUAGES:
        with translation.override(language):
            names.append(str(field.verbose_name))
    return names[0] if names[0] == names[1] else f"{names[0]} / {names[1]}"


def _file_name(item: PersonalData) -> str:
    return item.model.replace(".", "_").lower()


def _rows(item: PersonalData, customer: Customer) -> list[dict[str, Any]]:
    model = item.model_class
    columns = _columns(model)
    queryset = model._default_manager.filter(**{item.customer_filter: customer.pk})
    return [
        {field.name: _plain(getattr(row, field.attname)) for field in columns}
        for row in queryset.order_by("pk")
    ]


def _audit_rows(customer: Customer) -> list[dict[str, Any]]:
    """The audit events about the person: what changed, when, by whom."""
    events = AuditEvent.objects.filter(customer_id=customer.pk).order_by("at", "pk")
    return [
        {
            "at": event.at.isoformat(),
            "actor_id": event.actor_id,
            "action": event.action,
            "subject": f"{event.subject_type}#{event.subject_id}",
            "changes": event.changes,
        }
        for event in events
    ]


def _readme(files: list[tuple[str, PersonalData, int]], customer: Customer) -> str:
    parts = []
    for language in README_LANGUAGES:
        with translation.override(language):
            parts.append(
                _("Personal data held about customer #%(id)s, as of %(when)s.")
                % {"id": customer.pk, "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
            )
            parts.append(
                _(
                    "data.json holds everything, machine-readable; each CSV holds one kind "
                    "of data, with headers in Thai and English; audit_log.csv lists the "
                    "changes made to the data."
                )
            )
            for name, item, count in files:
                parts.append(
                    f"- {name}.csv: {item.title} ({count}). "
                    + _("Purpose: %(purpose)s Lawful basis: %(basis)s.")
                    % {"purpose": item.purpose, "basis": BASIS_LABELS[item.basis]}
                )
            parts.append("")
    return "\n".join(parts)


@transaction.atomic
def customer_export(customer: Customer, *, actor: User | None) -> bytes:
    """The ZIP of everything about ``customer``; audited."""
    data: dict[str, Any] = {}
    files: list[tuple[str, PersonalData, int]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in about_customers():
            rows = _rows(item, customer)
            data[item.model] = rows
            name = _file_name(item)
            files.append((name, item, len(rows)))
            columns = _columns(item.model_class)
            table = [[_header(field) for field in columns]]
            table += [[_cell(row[field.name]) for field in columns] for row in rows]
            archive.writestr(f"{name}.csv", csv_text(table))
        audit = _audit_rows(customer)
        data["core.AuditEvent"] = audit
        archive.writestr(
            "audit_log.csv",
            csv_text(
                [
                    [
                        "เมื่อ / When",
                        "ผู้ทำ / By",
                        "การกระทำ / Action",
                        "รายการ / Record",
                        "การเปลี่ยนแปลง / Changes",
                    ]
                ]
                + [[_cell(value) for value in row.values()] for row in audit]
            ),
        )
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1))
        if customer.photo:
            try:
                with customer.photo.open("rb") as photo:
                    archive.writestr("photo" + _suffix(customer.photo.name or ""), photo.read())
            except OSError:  # the file is gone from storage: the row still names it
                pass
        archive.writestr("README.txt", "\ufeff" + _readme(files, customer))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        subject=customer,
        customer_id=customer.pk,
        changes={"rows": sum(count for _name, _item, count in files) + len(audit)},
    )
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


def export_file_name(customer: Customer) -> str:
    return f"personal-data-{customer.pk}-{timezone.localdate():%Y%m%d}.zip"
