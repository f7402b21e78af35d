"""New model objects of an import's batch written as plain rows (``core.bulk``): the
ORM's ``bulk_create`` spends some ten microseconds of Python on each value, more than
the rest of an import row's work; here a value costs a ``getattr`` and, for dates, JSON
and files, the same adapter the ORM would use. The objects are validated before (the
mapping step's row logic); they get their ids, as ``save`` would give them."""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import DateField, Field, Model
from django.utils import timezone

from samphan.core.bulk import column_adapter, insert_rows, insert_rows_returning_ids

Columns = tuple[list[str], list[tuple[str, Callable[[Any], Any] | None]], list[str]]


@cache
def _columns(model: type[Model]) -> Columns:
    """The model's columns (all but the id), each with its attribute and adapter, and the
    attributes stamped with the time of writing (``auto_now``, ``auto_now_add``)."""
    fields: list[Field[Any, Any]] = [
        field for field in model._meta.concrete_fields if not field.primary_key
    ]
    stamped = [
        field.attname
        for field in fields
        if isinstance(field, DateField) and (field.auto_now or field.auto_now_add)
    ]
    return (
        [str(field.column) for field in fields],
        [(field.attname, column_adapter(field)) for field in fields],
        stamped,
    )


def objects_insert(model: type[Model], objects: Sequence[Model], *, ids: bool = True) -> None:
    """Insert ``objects`` (unsaved, of ``model``) in as few statements as the database
    allows; with ``ids``, each gets its new id and counts as saved."""
    if not objects:
        return
    columns, readers, stamped = _columns(model)
    now = timezone.now()
    rows = []
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
        rows.append(
            tuple(
                adapt(value) if adapt is not None and value is not None else value
                for value, adapt in ((getattr(obj, name), adapt) for name, adapt in readers)
            )
        )
    if not ids:
        insert_rows(model, columns, rows)
        return
    for obj, pk in zip(objects, insert_rows_returning_ids(model, columns, rows), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
