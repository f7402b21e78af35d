"""One search interface over both databases.

Thai is written without spaces between words, so word-based full-text search
cannot find "ชาย" in "สมชาย". Both backends therefore search substrings through a
trigram index over a model's ``search_document`` column (lower-cased names,
nicknames, e-mails, member number and phone digits):

* SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers;
* PostgreSQL: a GIN ``pg_trgm`` index, which answers ``LIKE '%term%'``.

Terms shorter than three characters cannot use a trigram index and fall back to a
plain ``LIKE`` scan.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction
from django.db.migrations.operations.base import Operation
from django.db.models.expressions import RawSQL

from samphan.core.phones import phone_search_digits

TRIGRAM = 3


def search_terms(query: str) -> list[str]:
    """A phone-like query is one term of digits; anything else splits on spaces."""
    digits = phone_search_digits(query)
    if digits:
        return [digits]
    return [term for term in query.casefold().split() if term]


def matching_ids(queryset: models.QuerySet, query: str, *, limit: int) -> list[int]:
    """Ids of up to ``limit`` rows of ``queryset`` matching ``query``, in no order.

    Unordered, so the database stops at the first matches its index yields. On
    PostgreSQL the planner misjudges how many rows a ``LIKE '%term%'`` matches and may
    pick a sequential scan "until LIMIT rows are found", which reads the whole table
    (2 s at a million rows) when the term is rarer than it guessed; the trigram index
    is always the better path, so the sequential scan is ruled out for this query.
    """
    matches = search_filter(queryset, query).order_by().values_list("pk", flat=True)[:limit]
    if connection.vendor != "postgresql":
        return list(matches)
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        ids = list(matches)
        if nested:
            # SET LOCAL outlives a released savepoint: hand the outer transaction its
            # planner back.
            cursor.execute("SET LOCAL enable_seqscan = DEFAULT")
    return ids


def fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_fts"


def search_filter(queryset: models.QuerySet, query: str) -> models.QuerySet:
    """Narrow ``queryset`` to rows whose search document holds every term of ``query``."""
    for term in search_terms(query):
        if connection.vendor == "sqlite" and len(term) >= TRIGRAM:
            table = fts_table(queryset.model)
            phrase = '"' + term.replace('"', '""') + '"'
            matching = RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [phrase])  # noqa: S611 - table name is ours
            queryset = queryset.filter(pk__in=matching)
        else:
            queryset = queryset.filter(search_document__contains=term)
    return queryset


def sqlite_insert_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {table}_fts(rowid, search_document) "
        f"VALUES (new.id, new.search_document); END"
    )


@contextmanager
def bulk_indexing(model: type[models.Model], *, first_id: int) -> Iterator[None]:
    """Index rows inserted in bulk (ids from ``first_id`` on) with one statement.

    SQLite's per-row trigger costs about 85 µs a row, seven times the set-based insert;
    the trigger is dropped and restored inside the same transaction, so a crash leaves
    it in place. PostgreSQL's GIN index needs nothing.
    """
    if connection.vendor != "sqlite":
        yield
        return
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {table}_fts_insert")
        yield
        cursor.execute(
            f"INSERT INTO {table}_fts(rowid, search_document) "
            f"SELECT id, search_document FROM {table} WHERE id >= %s",
            [first_id],
        )
        cursor.execute(sqlite_insert_trigger(table))


class CreateSearchIndex(Operation):
    """Migration operation: the trigram index for ``table.search_document``."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table = self.table
        if schema_editor.connection.vendor == "sqlite":
            statements = [
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_document, "
                f"content='{table}', content_rowid='id', tokenize='trigram')",
                sqlite_insert_trigger(table),
                f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
                f"INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
                f"VALUES ('delete', old.id, old.search_document); END",
                f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_document ON {table} "
                f"BEGIN INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
                f"VALUES ('delete', old.id, old.search_document); "
                f"INSERT INTO {table}_fts(rowid, search_document) "
                f"VALUES (new.id, new.search_document); END",
            ]
        elif schema_editor.connection.vendor == "postgresql":
            statements = [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                f"CREATE INDEX {table}_search_trgm ON {table} "
                f"USING gin (search_document gin_trgm_ops)",
            ]
        else:
            statements = []
        for statement in statements:
            schema_editor.execute(statement)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        table = self.table
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        elif schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")

    def describe(self) -> str:
        return f"Create the trigram search index on {self.table}.search_document"
