"""New model objects of an import's batch written as plain rows (``core.bulk``): the
ORM's ``bulk_create`` spends some ten microseconds of Python on each value, more than
the rest of an import row's work; here a value costs a ``getattr`` and, for dates, JSON
and files, the same adapter the ORM would use. The objects are validated before (the
mapping step's row logic); they get their ids, as ``save`` would give them."""

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import DateField, Field, FileField, Model
from django.db.models.base import ModelState
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.bulk import column_adapter, insert_rows, insert_rows_returning_ids
from samphan.customers.models import Customer

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


def new_customers(actor: User) -> Callable[[], Customer]:
    """A maker of new, unsaved customers of ``actor`` (the owner, team and creator), each
    as ``Customer(created_by_id=…, owner_id=…, team_id=…)`` would be, copied from one made
    that way (a model's ``__init__`` costs some 50 µs a customer; a copy of its attributes
    and a fresh state, with its mutable defaults made again, about 2)."""
    blank = Customer(created_by_id=actor.pk, owner_id=actor.pk, team_id=actor.team_id)
    values = {name: value for name, value in blank.__dict__.items() if name != "_state"}
    for file_field in Customer._meta.concrete_fields:
        if isinstance(file_field, FileField) and values[file_field.attname] is None:
            values[file_field.attname] = ""  # what save writes for no file (FieldFile's str)
    fresh = [
        (field.attname, field.default)
        for field in Customer._meta.concrete_fields
        if field.has_default() and callable(field.default)
    ]

    def make() -> Customer:
        customer = Customer.__new__(Customer)
        attributes = customer.__dict__
        attributes.update(values)
        for name, default in fresh:
            attributes[name] = default()
        customer._state = ModelState()
        return customer

    return make


def objects_insert(model: type[Model], objects: Sequence[Model], *, ids: bool = True) -> None:
    """Insert ``objects`` (unsaved, of ``model``) in as few statements as the database
    allows; with ``ids``, each gets its new id and counts as saved."""
    if not objects:
        return
    columns, readers, stamped = _columns(model)
    now = timezone.now()
    # Straight from the attributes' dict: a field's descriptor (a file's makes a FieldFile
    # each time) costs more than the rest of the row; every column is there on a new object.
    read = itemgetter(*(name for name, _adapt in readers))
    adapted = [(position, adapt) for position, (_name, adapt) in enumerate(readers) if adapt]
    seen: dict[int, Any] = {}  # one adapted value per object shared by rows (the time stamp)
    rows = []
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
        row = list(read(obj.__dict__))
        for position, adapt in adapted:
            value = row[position]
            if value is now:
                row[position] = seen.get(position) or seen.setdefault(position, adapt(value))
            elif value is not None:
                row[position] = adapt(value)
        rows.append(tuple(row))
    if not ids:
        insert_rows(model, columns, rows)
        return
    for obj, pk in zip(objects, insert_rows_returning_ids(model, columns, rows), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
