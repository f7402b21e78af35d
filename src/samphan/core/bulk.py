"""Writing plain tuples fast (``executemany`` on SQLite, ``COPY`` on PostgreSQL), and
reading plain rows back as the ORM would.

For the few writes whose volume the ORM's per-object work would cap (order batches, demo
data): the caller hands rows of database-ready values in the order of ``columns``.
"""

import gc
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, Field, FileField, JSONField, Model

from samphan.core import sql

# Below this many rows a plain (pipelined) executemany beats COPY on PostgreSQL, whose
# start and end each cost a round trip: one POS order is four single-row inserts.
COPY_FROM = 50

# {table} and {names} are quoted names from the model; {marks} one %s per column, or
# "%s + N" where the caller shifts a column by N (an int computed here, see insert_rows).
INSERT = "INSERT INTO {table} ({names}) VALUES ({marks})"
INSERT_RETURNING_ID = INSERT + " RETURNING id"
COPY = "COPY {table} ({names}) FROM STDIN"


def column_adapter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of this field becomes a database parameter (None: as it is)."""
    if isinstance(field, DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, JSONField):
        return json.dumps
    if isinstance(field, FileField):
        return str
    return None


def insert_rows(
    model: type[Model],
    columns: list[str],
    rows: list[tuple[Any, ...]],
    *,
    shift: Mapping[int, int] | None = None,
) -> None:
    """Insert ``rows`` (values in the order of ``columns``).

    ``shift`` adds an offset to the columns at these positions: rows built in worker
    processes number their orders and deals from 0 within the batch, and only the writer
    knows where the batch starts. On SQLite the addition happens in the statement itself,
    so no row is copied in Python.
    """
    if not rows:
        return
    shift = shift or {}
    table, names = _quoted_names(model._meta.db_table, tuple(columns))
    with connection.cursor() as cursor:
        if sql.is_postgresql() and len(rows) >= COPY_FROM:
            # COPY streams rows in one command, several times faster than INSERTs. It runs
            # on the driver's cursor, so errors are turned into Django's (IntegrityError …)
            # here as Django's cursor would.
            with connection.wrap_database_errors:
                _copy(cursor.cursor, table, names, rows, shift)
            return
        # The offsets are integers the writer computed, never input; written into the
        # statement so that no row is copied to add them.
        marks = ", ".join(
            f"%s + {int(shift[position])}" if position in shift else "%s"
            for position in range(len(columns))
        )
        cursor.executemany(INSERT.format(table=table, names=names, marks=marks), rows)


# {values} is one "(%s, …)" per row: the rows of a chunk in one statement.
INSERT_VALUES_RETURNING_ID = "INSERT INTO {table} ({names}) VALUES {values} RETURNING id"
LAST_INSERT_ROWID = "SELECT last_insert_rowid()"
# PostgreSQL's protocol numbers a statement's parameters in 16 bits.
POSTGRESQL_MAX_PARAMS = 65_535


def insert_rows_returning_ids(
    model: type[Model], columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> list[int]:
    """Insert ``rows`` (values in the order of ``columns``) and return their new ids in
    the order of ``rows``: as many rows per statement as the database takes parameters
    (``RETURNING``; a statement numbers its rows in the order written on both databases,
    so its ids, sorted, are its rows' in order)."""
    if not rows:
        return []
    table, names = _quoted_names(model._meta.db_table, tuple(columns))
    if not sql.is_postgresql() and connection.in_atomic_block:
        return _sqlite_insert_consecutive(table, names, len(columns), rows)
    marks = f"({sql.placeholders(len(columns))})"
    limit = connection.features.max_query_params or POSTGRESQL_MAX_PARAMS
    per_statement = max(1, limit // len(columns))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join([marks] * len(chunk))
            statement = INSERT_VALUES_RETURNING_ID.format(table=table, names=names, values=values)
            cursor.execute(statement, [value for row in chunk for value in row])
            ids += sorted(int(row[0]) for row in cursor.fetchall())
    return ids


def _sqlite_insert_consecutive(
    table: str, names: str, width: int, rows: Sequence[tuple[Any, ...]]
) -> list[int]:
    """SQLite, in a transaction: one short statement run per row (Django rewrites each
    statement's ``%s`` marks with a regular expression, 5 ms for a 2,000-row ``VALUES``
    list) and the ids read back. Each new row's id is one past the largest in the table
    (or ever, with AUTOINCREMENT), and the transaction holds the only write lock (begun
    IMMEDIATE, or taken by the first row), so the rows' ids are consecutive and end at
    ``last_insert_rowid()``."""
    statement = INSERT.format(table=table, names=names, marks=sql.placeholders(width))
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)
        cursor.execute(LAST_INSERT_ROWID)
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


def insert_row(model: type[Model], columns: list[str], row: tuple[Any, ...]) -> int:
    """Insert one row (values in the order of ``columns``); returns its id, from the same
    statement (``RETURNING``: one round trip, not two)."""
    table, names = _quoted_names(model._meta.db_table, tuple(columns))
    statement = INSERT_RETURNING_ID.format(
        table=table, names=names, marks=sql.placeholders(len(columns))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, row)
        return int(cursor.fetchone()[0])


@cache
def _quoted_names(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    """Quoted once per shape: a POS order writes four of these a millisecond."""
    quote = connection.ops.quote_name
    return quote(table), ", ".join(quote(column) for column in columns)


def _copy(
    cursor: Any, table: str, names: str, rows: list[tuple[Any, ...]], shift: Mapping[int, int]
) -> None:
    with cursor.copy(COPY.format(table=table, names=names)) as copy:
        if not shift:
            for row in rows:
                copy.write_row(row)
            return
        for row in rows:
            values = list(row)
            for position, offset in shift.items():
                values[position] += offset
            copy.write_row(values)


_CONVERTERS: dict[
    tuple[str, type[Model], tuple[str, ...]], list[tuple[Any, list[Callable[..., Any]]]]
] = {}


def python_values(model: type[Model], names: Sequence[str], row: Sequence[Any]) -> list[Any]:
    """A row read by plain SQL (the columns of ``names``, field attnames) as the Python
    values the ORM would give: SQLite returns decimals as floats, booleans as integers
    and dates as text. For hot paths where building a queryset costs more than the query.
    """
    key = (connection.vendor, model, tuple(names))  # a cache key: converters differ by backend
    if key not in _CONVERTERS:
        fields = {field.attname: field for field in model._meta.concrete_fields}
        columns = [fields[name].get_col(model._meta.db_table) for name in names]
        _CONVERTERS[key] = [
            (
                column,
                connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            )
            for column in columns
        ]
    values = []
    for (column, converters), value in zip(_CONVERTERS[key], row, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    return values


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs.

    A batch of 1,000 orders allocates some 60,000 short-lived tuples, lists and model
    objects, freed by reference counting when it ends; the collector's young passes over
    them cost a measurable share of the batch and find nothing.
    Counted across threads, so the last batch to finish turns collection back on, and
    only if it was on before the first began.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
