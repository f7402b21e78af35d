"""Writing the audit log. Services call these inside their transaction."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import BigIntegerField, CharField, DateTimeField, JSONField, Value
from django.utils import timezone

from samphan.core.http import User
from samphan.core.models import AuditEvent

# The audit rows of a SELECT (see audit_record_for_each): {table} and {columns} are quoted
# names from the model, {select} the SQL the ORM compiled (its values are parameters).
INSERT_SELECT = "INSERT INTO {table} ({columns}) {select}"
INSERT_SELECT_FIELDS = (
    "at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "customer_id",
    "changes",
)


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
        # A concrete field or a foreign key here (reverse relations are never listed), though
        # get_field's type also allows the relations that have no attname.
        value = getattr(instance, field.attname)  # type: ignore[union-attr]
        # JSON values (custom fields) stay data, so key order is no change.
        plain = (int, float, bool, type(None), dict, list)
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            # A form's value is in Bangkok time, the stored one in UTC: the same instant
            # must read the same, or an unchanged save would log a change.
            value = value.astimezone(dt.UTC)
        values[name] = value if isinstance(value, plain) else str(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_record(
    *,
    actor: User | None,
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


def audit_record_for_each(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    changes: dict[str, Any],
    rows: models.QuerySet[Any],
    customer_field: str = "customer_id",
) -> int:
    """The same audit row once for each of ``rows``, keyed by its ``customer_field``.

    One ``INSERT … SELECT``: the ids never travel to Python, so the cost does not grow
    with round trips however many customers a set-based change touches.
    """
    actor_id = actor.pk if actor is not None else None
    # values_list() selects in the order given (Django 5.2+); INSERT_SELECT_FIELDS follows it.
    select_rows = rows.order_by().values_list(
        Value(timezone.now(), output_field=DateTimeField()),
        Value(actor_id, output_field=BigIntegerField()),
        Value(action, output_field=CharField()),
        Value(subject._meta.label_lower, output_field=CharField()),
        Value(subject.pk, output_field=BigIntegerField()),
        customer_field,
        Value(changes, output_field=JSONField()),
    )
    try:
        select, params = select_rows.query.sql_with_params()
    except EmptyResultSet:  # rows filtered by an empty list of ids: nothing to record
        return 0
    connection = connections[select_rows.db]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    column_of = {field.name: str(field.column) for field in AuditEvent._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[name]) for name in INSERT_SELECT_FIELDS)
    statement = INSERT_SELECT.format(table=table, columns=columns, select=select)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)
