"""The database's part of a backup and a restore, per vendor: SQLite through Python's online
backup API (a consistent copy while the app writes), PostgreSQL through ``pg_dump
--format=custom`` and ``pg_restore --no-owner``. The row counts and migrations the manifest
records are read from the same snapshot as the copy. Credentials travel in the environment
(PGPASSWORD …), never on a command line."""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections

MIGRATIONS = "SELECT app, name FROM django_migrations ORDER BY id"
# The tables whose rows the manifest counts (SQLite's own and the search index's virtual
# table out: its shadow tables are counted).
SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
)
POSTGRES_TABLES = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
    "AND table_type = 'BASE TABLE' ORDER BY table_name"
)
POSTGRES_ANY_TABLE = (
    "SELECT COUNT(*) FROM information_schema.tables "
    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
)
DUMP_NAME = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class RestoreRefusedError(Exception):
    """The target is not empty (or cannot be read): nothing was written."""


@dataclass
class Snapshot:
    """What the manifest says of the database copy."""

    vendor: str
    migrations: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    rows = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 - a table name
        rows[table] = int(cursor.fetchone()[0])
    return rows


def database_dump(target: Path, alias: str = "default") -> Snapshot:
    """Copy the live database to ``target`` (a new file); its row counts and migrations."""
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return _sqlite_dump(Path(connections[alias].settings_dict["NAME"]), target)
    if vendor == "postgresql":
        return _postgres_dump(alias, target)
    raise NotImplementedError(vendor)


def _sqlite_dump(live: Path, target: Path) -> Snapshot:
    source = sqlite3.connect(f"file:{live}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read snapshot, writers go on (WAL)
    finally:
        source.close()
    try:
        tables = [name for (name,) in copy.execute(SQLITE_TABLES)]
        migrations = [f"{app}.{name}" for app, name in copy.execute(MIGRATIONS)]
        return Snapshot("sqlite", migrations, _counts(copy.cursor(), tables))
    finally:
        copy.close()
        target.chmod(0o600)


def libpq_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq's variables: the password never reaches a command line."""
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):  # fmt: skip
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return found


def _postgres_dump(alias: str, target: Path) -> Snapshot:
    """``pg_dump`` of a snapshot exported by a transaction that also counts the rows, so
    the counts are exactly the dump's while orders keep coming."""
    import psycopg

    settings_dict = connections[alias].settings_dict
    env = libpq_environment(settings_dict)
    with psycopg.connect("", autocommit=False, **_psycopg_params(settings_dict)) as held:
        held.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot_id = held.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        tables = [name for (name,) in held.execute(POSTGRES_TABLES).fetchall()]
        migrations = [f"{app}.{name}" for app, name in held.execute(MIGRATIONS).fetchall()]
        rows = _counts(held.cursor(), tables)
        subprocess.run(  # noqa: S603 - fixed arguments, no credentials
            [_program("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
             "--no-owner", f"--file={target}"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        held.rollback()
    target.chmod(0o600)
    return Snapshot("postgresql", migrations, rows)


def _psycopg_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    params = {"dbname": settings_dict.get("NAME"), "user": settings_dict.get("USER") or None,
              "password": settings_dict.get("PASSWORD") or None,
              "host": settings_dict.get("HOST") or None, "port": settings_dict.get("PORT") or None}  # fmt: skip
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        params["sslmode"] = options["sslmode"]
    return {key: value for key, value in params.items() if value}


def database_is_empty(alias: str = "default") -> tuple[bool, str]:
    """(empty?, what it holds): a restore goes only into a database without tables."""
    vendor = connections[alias].vendor
    settings_dict = connections[alias].settings_dict
    if vendor == "sqlite":
        path = Path(settings_dict["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True, str(path)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as check:
            count = check.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        return count == 0, f"{path}: {count} tables and indexes"
    import psycopg

    with psycopg.connect("", **_psycopg_params(settings_dict)) as check:
        count = check.execute(POSTGRES_ANY_TABLE).fetchone()[0]  # type: ignore[index]
    return count == 0, f"database {settings_dict['NAME']}: {count} tables"


def database_load(dump: Path, vendor: str, alias: str = "default") -> None:
    """Put the copy into the (checked empty) target database."""
    connection = connections[alias]
    if connection.vendor != vendor:
        raise RestoreRefusedError(
            f"the backup is of a {vendor} database; this installation uses {connection.vendor}"
        )
    connections.close_all()
    if vendor == "sqlite":
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    subprocess.run(  # noqa: S603 - fixed arguments, no credentials
        [_program("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error",
         f"--dbname={connection.settings_dict['NAME']}", str(dump)],
        env=libpq_environment(connection.settings_dict), check=True, capture_output=True,
        text=True,
    )  # fmt: skip
