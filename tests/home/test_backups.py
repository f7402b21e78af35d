"""``samphan backup`` and ``samphan restore`` for real, as an operator runs them: a demo
database of the test's own (a SQLite file, or a new database on the PostgreSQL server the
suite runs against) is backed up while another process keeps writing orders through the
sales service, and restored into a new, empty database; the restored rows match the
manifest table by table, and each customer's purchases roll-up matches a recomputation
from the restored orders in plain SQL. A restore into a database that holds data, and a
damaged archive, are refused before anything is written; ``--keep`` deletes the oldest."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
# Each customer's purchases as the restored orders say, beside the roll-up's figures.
ROLLUP_CHECK = """
    SELECT a.customer_id, a.revenue, a.order_count, o.revenue, o.orders
    FROM analytics_customeractivity a
    FULL OUTER JOIN (
        SELECT customer_id, SUM(revenue) AS revenue, COUNT(*) AS orders
        FROM sales_order WHERE status = 'paid' GROUP BY customer_id
    ) o ON o.customer_id = a.customer_id
    WHERE COALESCE(a.order_count, 0) > 0 OR o.orders IS NOT NULL
"""


class Database:
    """An installation of the test's own: a var/ folder, and a SQLite file in it or a new
    PostgreSQL database; empty until ``install``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        self.folder = folder
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samphan.settings",
                    "SAMPHAN_VAR_DIR": str(folder), "DEBUG": "0"}  # fmt: skip
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if POSTGRES_URL:
            self.name = f"samphan_backup_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.env["DATABASE_URL"] = POSTGRES_URL.rsplit("/", 1)[0] + "/" + self.name
        else:
            self.env.pop("DATABASE_URL", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "samphan", *args], env=self.env,  # noqa: S603
                              cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
        if ok:
            assert done.returncode == 0, done.stderr[-3000:]
        return done

    def install(self) -> None:
        self.run("migrate", "-v0")
        self.run("demo", "--customers", "30", "--seed", "3", "--password", "demo-pass-1")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if POSTGRES_URL:
            with psycopg.connect(self.env["DATABASE_URL"]) as connection:
                return connection.execute(sql).fetchall()  # type: ignore[arg-type]
        with sqlite3.connect(self.folder / "samphan.sqlite3", timeout=10) as connection:
            return connection.execute(sql).fetchall()

    def tables(self) -> dict[str, int]:
        if POSTGRES_URL:
            names = [name for (name,) in self.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )]  # fmt: skip
        else:
            if not (self.folder / "samphan.sqlite3").exists():
                return {}
            names = [name for (name,) in self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%'"
            )]  # fmt: skip
        return {name: self.query(f'SELECT COUNT(*) FROM "{name}"')[0][0] for name in names}  # noqa: S608


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = Database(tmp_path_factory.mktemp("backup") / "source")
    database.install()
    return database


@pytest.fixture(scope="module")
def taken(source: Database, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One backup, taken while another process writes orders through the sales service."""
    folder = tmp_path_factory.mktemp("backups")
    stop = folder.parent / f"stop-{uuid.uuid4().hex}"
    writer = subprocess.Popen([sys.executable, "-m", "tests.home.order_writer", str(stop)],  # noqa: S603
                              env=source.env, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert writer.stdout is not None
        for _ in range(5):  # the writer is under way
            writer.stdout.readline()
        before = source.query("SELECT COUNT(*) FROM sales_order")[0][0]
        done = source.run("backup", "--to", str(folder))
        during = source.query("SELECT COUNT(*) FROM sales_order")[0][0]
        # Lines printed while the backup ran may still wait in the pipe: read on until an
        # order written after it is in (on a loaded machine the writer may lag behind).
        deadline = time.monotonic() + 60
        while source.query("SELECT COUNT(*) FROM sales_order")[0][0] <= during:
            assert time.monotonic() < deadline, "the writer wrote nothing after the backup"
            writer.stdout.readline()
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0
    (archive,) = folder.glob("samphan-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    after = source.query("SELECT COUNT(*) FROM sales_order")[0][0]
    return {"archive": archive, "manifest": manifest, "before": before, "during": during,
            "after": after, "output": done.stdout}  # fmt: skip


def test_a_backup_taken_while_orders_are_written_restores_whole(
    taken: dict[str, Any], tmp_path: Path
) -> None:
    manifest = taken["manifest"]
    orders = manifest["rows"]["sales_order"]
    # The orders went on before, during and after the backup; it holds a moment between.
    assert taken["before"] < taken["during"] < taken["after"]
    assert taken["before"] <= orders <= taken["during"]
    assert manifest["vendor"] == ("postgresql" if POSTGRES_URL else "sqlite")
    assert "sales.0001_initial" in manifest["migrations"]
    assert any(name.startswith("media/shop/") for name in manifest["files"])

    target = Database(tmp_path / "restored")
    done = target.run("restore", str(taken["archive"]))
    assert "every file matches its checksum" in done.stdout
    assert "customers erased again" in done.stdout  # erasures_reapply ran
    assert target.tables() == manifest["rows"]
    assert orders > 0 and manifest["rows"]["customers_customer"] == 30

    rollups = target.query(ROLLUP_CHECK)
    assert len(rollups) >= 10
    for customer, revenue, count, revenue_sql, count_sql in rollups:
        assert (Decimal(str(revenue)).quantize(Decimal("0.01")), count) == (
            Decimal(str(revenue_sql)).quantize(Decimal("0.01")),
            count_sql,
        ), customer
    media = [name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")]
    assert all((tmp_path / "restored" / "media" / name).is_file() for name in media)
    # The restored installation runs: Django checks pass and no migration is left to run.
    assert "No planned migration" in target.run("migrate", "--plan").stdout


def test_a_database_that_holds_data_is_refused_and_left_as_it_was(
    source: Database, taken: dict[str, Any]
) -> None:
    before = source.tables()
    done = source.run("restore", str(taken["archive"]), ok=False)
    assert done.returncode != 0
    assert "Refused, nothing was written: the database is not empty" in done.stderr
    assert source.tables() == before


def test_a_damaged_archive_is_refused_before_anything_is_written(
    taken: dict[str, Any], tmp_path: Path
) -> None:
    damaged = tmp_path / taken["archive"].name
    data = bytearray(taken["archive"].read_bytes())
    data[len(data) // 3] ^= 0xFF  # one byte inside the database copy
    damaged.write_bytes(bytes(data))
    target = Database(tmp_path / "target")
    done = target.run("restore", str(damaged), ok=False)
    assert done.returncode != 0
    assert "is damaged" in done.stderr and "checksum does not match" in done.stderr
    assert target.tables() == {}
    assert not (tmp_path / "target" / "media").exists() or not any(
        (tmp_path / "target" / "media").rglob("*.*")
    )


def test_keep_deletes_only_the_oldest(
    source: Database, taken: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "kept"
    folder.mkdir()
    older = ["samphan-20261201T200000Z.tar", "samphan-20261202T200000Z.tar",
             "samphan-20261203T200000Z.tar"]  # fmt: skip
    for name in older:
        shutil.copy(taken["archive"], folder / name)
    (folder / "notes.txt").write_text("not a backup")
    done = source.run("backup", "--to", str(folder), "--keep", "2")
    assert "deleted samphan-20261201T200000Z.tar" in done.stdout
    names = sorted(path.name for path in folder.iterdir())
    new = [name for name in names if name.startswith("samphan-") and name not in older]
    assert len(new) == 1
    assert names == sorted(["samphan-20261203T200000Z.tar", new[0], "last-backup.json",
                            "notes.txt"])  # fmt: skip
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / new[0]).stat().st_mode & 0o777 == 0o600
    assert time.time() > 0
