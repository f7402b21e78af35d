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
import subprocess
import sys
import tarfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from samphan.core.s3_settings import s3_storages
from tests.conftest import s3_client
from tests.pgcluster import ROOT, Scratch

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


class Database(Scratch):
    """An installation of the test's own: a var/ folder, and a SQLite file in it or a new
    PostgreSQL database; empty, or migrated (a copy of the one migrated template)."""

    def __init__(self, folder: Path, *, migrated: bool = False) -> None:
        super().__init__(folder, migrated=migrated, prefix="samphan_backup")

    def run(self, *args: str, ok: bool = True, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "samphan", *args],  # noqa: S603
                              env={**self.env, **(env or {})}, cwd=ROOT, capture_output=True,
                              text=True, check=False)  # fmt: skip
        if ok:
            assert done.returncode == 0, done.stderr[-3000:]
        return done

    def install(self) -> None:
        self.run("demo", "--customers", "30", "--seed", "3", "--password", "demo-pass-1")

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
    database = Database(tmp_path_factory.mktemp("backup") / "source", migrated=True)
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
    refused = source.run("backup", "--to", str(folder / "none"), "--keep", "0", ok=False)
    assert refused.returncode == 1 and "--keep: keep at least one backup" in refused.stderr
    assert not (folder / "none").exists()
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


def test_backups_to_an_s3_bucket_keep_n_and_restore_from_the_bucket(
    source: Database, taken: dict[str, Any], s3_server: dict[str, Any], tmp_path: Path
) -> None:
    """The backups storage as a bucket on an S3-compatible server on loopback (moto):
    ``samphan backup --keep 2`` writes there (nothing on the local disk), deletes the oldest
    backups from the bucket and leaves its other objects; ``samphan restore NAME`` fetches
    that backup from the bucket into an empty database, every table's rows as the manifest
    says."""
    bucket = f"samphan-backups-{uuid.uuid4().hex[:8]}"
    client = s3_client(s3_server)
    client.create_bucket(Bucket=bucket)
    env = {"SAMPHAN_BACKUP_S3_BUCKET": bucket,
           "SAMPHAN_S3_ENDPOINT_URL": s3_server["endpoint_url"],
           "SAMPHAN_S3_REGION": s3_server["region_name"],
           "SAMPHAN_S3_ACCESS_KEY_ID": s3_server["access_key"],
           "SAMPHAN_S3_SECRET_ACCESS_KEY": s3_server["secret_key"],
           "SAMPHAN_S3_PATH_STYLE": "1"}  # fmt: skip
    older = ["samphan-20261201T200000Z.tar", "samphan-20261202T200000Z.tar",
             "samphan-20261203T200000Z.tar"]  # fmt: skip
    for name in older:
        client.upload_file(str(taken["archive"]), bucket, name)
    client.put_object(Bucket=bucket, Key="notes.txt", Body=b"not a backup")

    done = source.run("backup", "--keep", "2", env=env)
    assert "deleted samphan-20261201T200000Z.tar (keeping the newest 2)" in done.stdout
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]}
    (new,) = keys - {*older, "notes.txt", "last-backup.json"}
    assert keys == {older[2], new, "notes.txt", "last-backup.json"}
    assert new.startswith("samphan-") and new > older[2]
    assert not (source.folder / "backups").exists()  # nothing went to the local folder
    status = json.loads(client.get_object(Bucket=bucket, Key="last-backup.json")["Body"].read())
    assert status["ok"] and status["name"] == new
    acl = client.get_object_acl(Bucket=bucket, Key=new)["Grants"]
    assert [grant["Permission"] for grant in acl] == ["FULL_CONTROL"]  # private

    target = Database(tmp_path / "restored")
    restored = target.run("restore", new, env=env)
    assert "every file matches its checksum" in restored.stdout
    body = client.get_object(Bucket=bucket, Key=new)["Body"].read()
    archive = tmp_path / "from-bucket.tar"
    archive.write_bytes(body)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert target.tables() == manifest["rows"]
    assert manifest["rows"]["customers_customer"] == 30
    assert manifest["rows"]["sales_order"] >= taken["manifest"]["rows"]["sales_order"]
    # Neither a file nor a backup in the bucket: refused by name, nothing written.
    missing = Database(tmp_path / "missing")
    refused = missing.run("restore", "samphan-20200101T000000Z.tar", ok=False, env=env)
    assert refused.returncode != 0 and "no such file, nor a backup" in refused.stderr
    assert missing.tables() == {}


def test_the_backups_bucket_is_turned_on_by_the_environment_and_never_the_media_bucket() -> None:
    store = {"SAMPHAN_S3_ENDPOINT_URL": "https://minio.internal:9000", "SAMPHAN_S3_REGION": "th"}
    assert s3_storages(store, path_style=True) == {}
    found = s3_storages({**store, "SAMPHAN_BACKUP_S3_BUCKET": "shop-backups"}, path_style=True)
    assert set(found) == {"backups"}
    assert found["backups"]["OPTIONS"]["bucket_name"] == "shop-backups"
    assert found["backups"]["OPTIONS"]["endpoint_url"] == "https://minio.internal:9000"
    assert found["backups"]["OPTIONS"]["default_acl"] == "private"
    both = {**store, "SAMPHAN_BACKUP_S3_BUCKET": "shop", "SAMPHAN_S3_BUCKET": "shop"}
    with pytest.raises(ImproperlyConfigured, match="a bucket other than SAMPHAN_S3_BUCKET"):
        s3_storages(both, path_style=False)
