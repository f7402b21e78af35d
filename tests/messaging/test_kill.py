"""The outbox survives SIGKILL: a real worker process (``samphan worker``) sends 10,000
e-mails to a real SMTP server on loopback and is killed at random moments, at least ten
times, and restarted. Nothing is lost, and a message is received twice only when a kill
fell between its hand-off and its record: at most one duplicate per kill, with the same
Message-ID as the first copy (a receiver that deduplicates sees each message once)."""

import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.messaging.servers import SmtpInbox
from tests.pgcluster import ROOT, Scratch

RECIPIENTS = 10_000
KILLS = 10


class Database(Scratch):
    """A database of the test's own, migrated, that the worker processes share: a SQLite
    file, or a new database on the PostgreSQL server the suite runs against."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, migrated=True, prefix="samphan_kill")

    def statuses(self) -> Counter:
        return Counter(dict(self.query("SELECT status, COUNT(*) FROM messaging_message "
                                       "GROUP BY status")))  # fmt: skip

    def message_keys(self) -> set[str]:
        # SQLite keeps a UUID as 32 hex digits.
        return {
            str(uuid.UUID(str(key))) for (key,) in self.query("SELECT key FROM messaging_message")
        }


@pytest.fixture
def database(tmp_path):
    database = Database(tmp_path)
    try:
        yield database
    finally:
        database.drop()


def test_killing_the_worker_loses_nothing_and_doubles_at_most_one_per_kill(database):
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
