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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.models import F, Max
from django.db.models.expressions import RawSQL

from samphan.core import sql
from samphan.core.phones import phone_search_digits

TRIGRAM = 3

# The statements, with {table} (a model's db_table, never input) and {fts}, its FTS5
# table on SQLite, filled in.
SEQSCAN_OFF = "SET LOCAL enable_seqscan = off"
SEQSCAN_DEFAULT = "SET LOCAL enable_seqscan = DEFAULT"
FTS_MATCH = "SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
# One page of the matches in order, and how many there are: {matches} is the search's own
# statement (compiled by Django, its values bound), reading the key as k0 and the sort
# columns as k1, k2, ...; {order} those names with ASC or DESC.
PAGE_OF_MATCHES = (
    "SELECT k0, COUNT(*) OVER () FROM ({matches}) AS matches ORDER BY {order} LIMIT %s OFFSET %s"
)
# The triggers are created "if not exists": the migration and ``search_triggers_restore``
# (after every ``migrate``) run the same statements.
FTS_INSERT_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN "
    "INSERT INTO {table}_fts(rowid, search_document) VALUES (new.id, new.search_document); END"
)
FTS_INSERT_TRIGGER_DROP = "DROP TRIGGER {table}_fts_insert"
FTS_INDEX_FROM = (
    "INSERT INTO {table}_fts(rowid, search_document) "
    "SELECT id, search_document FROM {table} WHERE id >= %s"
)
SQLITE_TRIGGERS = (
    FTS_INSERT_TRIGGER,
    "CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN "
    "INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE OF search_document "
    "ON {table} BEGIN INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO {table}_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
)
SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE {table}_fts USING fts5(search_document, "
    "content='{table}', content_rowid='id', tokenize='trigram')",
    *SQLITE_TRIGGERS,
)
SQLITE_INDEX_DROP = (
    "DROP TABLE IF EXISTS {table}_fts",
    "DROP TRIGGER IF EXISTS {table}_fts_insert",
    "DROP TRIGGER IF EXISTS {table}_fts_delete",
    "DROP TRIGGER IF EXISTS {table}_fts_update",
)
POSTGRESQL_INDEX = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX {table}_search_trgm ON {table} USING gin (search_document gin_trgm_ops)",
)
POSTGRESQL_INDEX_DROP = ("DROP INDEX IF EXISTS {table}_search_trgm",)


def search_terms(query: str) -> list[str]:
    """A phone-like query is one term of digits; anything else splits on spaces."""
    digits = phone_search_digits(query)
    if digits:
        return [digits]
    return [term for term in query.casefold().split() if term]


def _index_planned(statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a search ``statement``, run with PostgreSQL's sequential scan ruled out.

    The planner misjudges how many rows a ``LIKE '%term%'`` matches and, under a LIMIT,
    may pick a sequential scan "until LIMIT rows are found", which reads the whole table
    when the term is rarer than it guessed; the trigram index is always the better path.

    One round trip: the setting and the statement go as one query string, which
    PostgreSQL runs as one transaction (an implicit one outside a transaction) that
    ``SET LOCAL`` lasts for; Django's psycopg cursors bind values on the client, so such a
    string may carry parameters. Inside a transaction the setting would outlive the
    statement: a third statement puts the transaction's planner back.
    """
    if not sql.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return list(cursor.fetchall())
    reset = f"; {SEQSCAN_DEFAULT}" if connection.in_atomic_block else ""
    with _client_bound_cursor() as cursor:
        cursor.execute(f"{SEQSCAN_OFF}; {statement}{reset}", params)
        cursor.nextset()  # past the SET's empty result
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _client_bound_cursor() -> Any:
    """A cursor that binds values on the client, wrapped as Django's are (query log,
    database errors): several statements in one string may then carry parameters, which
    server-side binding (on for prepared statements, ``settings``) refuses."""
    connection.ensure_connection()
    raw: Any = psycopg.ClientCursor(connection.connection)  # the stubs want a wrapper
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _statement(queryset: models.QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    compiled: tuple[str, tuple[Any, ...]] = queryset.query.get_compiler(using=queryset.db).as_sql()
    return compiled


def matching_ids(queryset: models.QuerySet[Any], query: str, *, limit: int) -> list[int]:
    """Ids of up to ``limit`` rows of ``queryset`` matching ``query``, in no order.

    Unordered, so the database stops at the first matches its index yields (the trigram
    index on PostgreSQL: ``_index_planned``).
    """
    matches = search_filter(queryset, query).order_by().values_list("pk", flat=True)[:limit]
    return [row[0] for row in _index_planned(*_statement(matches))]


def matching_page(
    queryset: models.QuerySet[Any],
    query: str,
    *,
    limit: int,
    ordering: Sequence[str],
    offset: int,
    size: int,
) -> tuple[list[int], int | None]:
    """The ids of rows ``offset`` to ``offset + size`` of the first ``limit`` matches
    (found as ``matching_ids`` finds them) in ``ordering`` (field names, "-" for
    descending), and how many matches there are (at most ``limit``), in one statement.

    The matches are sorted on the few columns ``ordering`` names, read with the search
    itself; only the page's rows are read whole afterwards (by the caller), instead of
    every match being joined and read before the sort. The count comes with the page's
    rows, so it is None (not known) for a page past the last match.
    """
    columns: dict[str, Any] = {"k0": F("pk")}
    order = []
    for index, name in enumerate(ordering, start=1):
        columns[f"k{index}"] = F(name.removeprefix("-"))
        order.append(f"k{index} {'DESC' if name.startswith('-') else 'ASC'}")
    matches = search_filter(queryset, query).order_by().values(**columns)[:limit]
    inner, params = _statement(matches)
    statement = PAGE_OF_MATCHES.format(matches=inner, order=", ".join(order))
    rows = _index_planned(statement, [*params, size, offset])
    if not rows:
        return [], (0 if offset == 0 else None)
    return [row[0] for row in rows], rows[0][1]


def fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_fts"


def search_filter[Q: models.QuerySet[Any]](queryset: Q, query: str) -> Q:
    """Narrow ``queryset`` to rows whose search document holds every term of ``query``."""
    fts_index = not sql.is_postgresql()  # PostgreSQL's trigram index answers the LIKE
    for term in search_terms(query):
        if fts_index and len(term) >= TRIGRAM:
            statement = FTS_MATCH.format(fts=fts_table(queryset.model))
            phrase = '"' + term.replace('"', '""') + '"'  # the term as one FTS5 string
            matching = RawSQL(statement, [phrase])  # noqa: S611 - our table; the term a parameter
            queryset = queryset.filter(pk__in=matching)
        else:
            queryset = queryset.filter(search_document__contains=term)
    return queryset


def sqlite_insert_trigger(table: str) -> str:
    return FTS_INSERT_TRIGGER.format(table=table)


@contextmanager
def bulk_indexing(model: type[models.Model], *, first_id: int | None = None) -> Iterator[None]:
    """Index rows inserted in bulk (ids from ``first_id`` on; by default, past the
    largest id when the block starts) with one statement.

    SQLite's per-row trigger costs several times the set-based insert (FTS5 writes out
    its pending terms at every statement: a row inserted by its own statement pays for a
    flush); the trigger is dropped and restored inside the same transaction, so a crash
    leaves it in place. Only inserts belong in the block: an update of a row not yet
    indexed would have FTS5 delete terms it never had. PostgreSQL's GIN index needs
    nothing.
    """
    if sql.is_postgresql():
        yield
        return
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FTS_INSERT_TRIGGER_DROP.format(table=table))
        if first_id is None:
            # Read once the write lock is ours (dropping the trigger took it): no other
            # writer's row can come between, and every new row's id is larger.
            first_id = (model._default_manager.aggregate(last=Max("pk"))["last"] or 0) + 1
        yield
        cursor.execute(FTS_INDEX_FROM.format(table=table), [first_id])
        cursor.execute(sqlite_insert_trigger(table))


class CreateSearchIndex(Operation):
    """Migration operation: the trigram index for ``table.search_document``."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        # The schema editor's own connection decides (a migration may run on another).
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": SQLITE_INDEX, "postgresql": POSTGRESQL_INDEX}.get(vendor, ())
        for statement in statements:
            schema_editor.execute(statement.format(table=self.table))

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": SQLITE_INDEX_DROP, "postgresql": POSTGRESQL_INDEX_DROP}.get(
            vendor, ()
        )
        for statement in statements:
            schema_editor.execute(statement.format(table=self.table))

    def describe(self) -> str:
        return f"Create the trigram search index on {self.table}.search_document"


def search_triggers_restore(*, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate`` (``samphan.core.apps``): put back any missing search trigger.

    SQLite cannot alter most columns in place: Django copies the table into a new one and
    drops the old, and the triggers that keep the FTS5 index current go with it (the FTS5
    table and its rows survive). A migration that adds or alters a column of an indexed
    table would otherwise leave search silently stale; after every ``migrate`` the triggers
    of each FTS5 table present are created again if missing. PostgreSQL's GIN index
    belongs to the table and survives: nothing to do there.
    """
    target = connections[using]
    if target.vendor != "sqlite":
        return
    tables = set(target.introspection.table_names())
    with target.cursor() as cursor:
        for model in django_apps.get_models():
            table = model._meta.db_table
            if table in tables and fts_table(model) in tables:
                for statement in SQLITE_TRIGGERS:
                    cursor.execute(statement.format(table=table))
