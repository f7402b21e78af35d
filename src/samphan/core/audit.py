"""Writing the audit log. Services call these inside their transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from samphan.core.models import AuditEvent


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values as JSON-friendly data, keyed by field name (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = (
                sorted(obj.pk for obj in getattr(instance, name).all()) if instance.pk else []
            )
            continue
        value = getattr(instance, field.attname)  # type: ignore[union-attr]
        values[name] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    changes: dict[str, Any],
    customer_id: int | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        customer_id=customer_id,
        changes=changes,
    )
