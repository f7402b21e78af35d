"""The outbox survives SIGKILL: a real worker process (``samphan worker``) sends 10,000
e-mails to a real SMTP server on loopback and is killed at random moments, at least ten
times, and restarted. Nothing is lost, and a message is received twice only when a kill
fell between its hand-off and its record: at most one duplicate per kill, with the same
Message-ID as the first copy (a receiver that deduplicates sees each message once)."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from tests.messaging.servers import SmtpInbox

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 10_000
KILLS = 10


class Database:
    """A database of the test's own, migrated, that the worker processes share: a SQLite
    file, or a new database on the PostgreSQL server the suite runs against."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samphan.settings",
                    "SAMPHAN_VAR_DIR": str(tmp_path), "DEBUG": "0"}  # fmt: skip
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.url = os.environ.get("DATABASE_URL", "")
        if self.url:
            self.name = f"samphan_kill_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(self.url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.env["DATABASE_URL"] = self.url.rsplit("/", 1)[0] + "/" + self.name
        else:
            self.env.pop("DATABASE_URL", None)
            self.path = tmp_path / "samphan.sqlite3"

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env, cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def statuses(self) -> Counter:
        query = "SELECT status, COUNT(*) FROM messaging_message GROUP BY status"
        if self.url:
            with psycopg.connect(self.env["DATABASE_URL"]) as connection:
                return Counter(dict(connection.execute(query).fetchall()))
        with sqlite3.connect(self.path, timeout=10) as connection:
            return Counter(dict(connection.execute(query).fetchall()))

    def message_keys(self) -> set[str]:
        query = "SELECT key FROM messaging_message"
        if self.url:
            with psycopg.connect(self.env["DATABASE_URL"]) as connection:
                return {str(row[0]) for row in connection.execute(query)}
        with sqlite3.connect(self.path, timeout=10) as connection:
            # SQLite keeps a UUID as 32 hex digits.
            return {str(uuid.UUID(row[0])) for row in connection.execute(query)}

    def drop(self) -> None:
        if self.url:
            with psycopg.connect(self.url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    database = Database(tmp_path)
    try:
        yield database
    finally:
        database.drop()


def test_killing_the_worker_loses_nothing_and_doubles_at_most_one_per_kill(database):
    database.manage("-m", "samphan", "migrate", "-v0")
    assert database.manage("-m", "tests.messaging.kill_setup", str(RECIPIENTS)).strip() == str(
        RECIPIENTS
    )
    rng = random.Random(20261125)
    with SmtpInbox(keep_raw_only=True) as inbox:
        env = {**database.env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(inbox.port),
               "SAMPHAN_OUTBOX_LEASE_SECONDS": "2", "SAMPHAN_RATE_LIMITS": "email=0",
               "DEFAULT_FROM_EMAIL": "shop@samphan.test"}  # fmt: skip

        def start() -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "-m", "samphan", "worker"], env=env, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

        kills = 0
        while kills < KILLS:
            worker = start()
            seen = len(inbox.raw_ids)
            deadline = time.monotonic() + 60
            # Kill it mid-send: once it has handed over some, after a random moment more.
            while len(inbox.raw_ids) < seen + 50 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.5))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
        assert len(inbox.raw_ids) < RECIPIENTS, "the sending ended before the last kill"
        worker = start()
        deadline = time.monotonic() + 240
        while database.statuses().get("queued", 0) and time.monotonic() < deadline:
            time.sleep(0.5)
        worker.terminate()
        worker.wait(timeout=30)
        received = Counter(inbox.raw_ids)
    assert database.statuses() == Counter({"sent": RECIPIENTS})
    expected = {f"<{key}@samphan.test>" for key in database.message_keys()}
    assert set(received) == expected  # every message arrived, nothing else did
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills, (duplicates, kills)
