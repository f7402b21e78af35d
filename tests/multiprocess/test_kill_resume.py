"""Long jobs survive SIGKILL (issue 22): a real ``samphan worker`` (or ``samphan
analytics_rebuild``) is killed at a random moment in a campaign's queueing, a customer
import or a roll-up rebuild, and a new one finishes the work without loss or double:
every member gets one message, every import row is in one count and one customer, the
roll-ups equal a plain-SQL sum of the orders (and no reader saw them half-empty).
On SQLite and, with scripts/with-postgres.sh, on PostgreSQL; about 10-25 s each."""

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.messaging.servers import SmtpInbox
from tests.messaging.test_kill import ROOT, Database

pytestmark = pytest.mark.slow

CAMPAIGN_MEMBERS = 1_400  # two chunks of queueing (QUEUE_CHUNK = 1,000)
IMPORT_ROWS = 8_000  # four batches (BATCH_SIZE = 2,000)
KILLS = 2  # rebuilds killed


def rows(database: Database, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return database.query(query, params)


def one(database: Database, query: str, params: tuple[Any, ...] = ()) -> Any:
    return rows(database, query, params)[0][0]


def worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "samphan", "worker"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_a_campaign_killed_while_it_queues_gives_each_member_one_message(database):
    campaign = int(
        database.manage(
            "-m", "tests.multiprocess.resume_setup", "campaign", str(CAMPAIGN_MEMBERS)
        ).strip()
    )
    rng = random.Random()
    with SmtpInbox(keep_raw_only=True) as inbox:
        env = {**database.env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(inbox.port),
               "SAMPHAN_RATE_LIMITS": "email=0", "SAMPHAN_OUTBOX_LEASE_SECONDS": "2",
               "DEFAULT_FROM_EMAIL": "shop@samphan.test"}  # fmt: skip
        first = worker(env)
        try:
            # Killed once the draw is written, at a random moment of the queueing.
            wait_for(lambda: one(database, "SELECT COUNT(*) FROM marketing_recipient") > 0,
                     120, "the draw")  # fmt: skip
            time.sleep(rng.uniform(0, 0.6))
        finally:
            kill(first)
        queued = one(database, "SELECT COUNT(*) FROM messaging_message")
        assert queued < CAMPAIGN_MEMBERS, "the queueing ended before the kill"
        second = worker(env)
        try:
            wait_for(
                lambda: one(database, "SELECT status FROM marketing_campaign WHERE id = ?",
                            (campaign,)) == "sent",
                120, "the campaign to be sent",
            )  # fmt: skip
        finally:
            stop(second)
    assert one(database, "SELECT COUNT(*) FROM marketing_recipient") == CAMPAIGN_MEMBERS
    per_customer = rows(
        database,
        "SELECT r.customer_id, COUNT(m.id) FROM marketing_recipient r "
        "LEFT JOIN messaging_message m ON m.id = r.message_id GROUP BY r.customer_id",
    )
    assert {count for _, count in per_customer} == {1}
    assert one(database, "SELECT COUNT(*) FROM messaging_message") == CAMPAIGN_MEMBERS
    assert one(database, "SELECT COUNT(DISTINCT customer_id) FROM messaging_message") == (
        CAMPAIGN_MEMBERS
    )


def test_an_import_killed_mid_run_resumes_at_its_cursor_in_a_new_worker(database):
    job = int(
        database.manage("-m", "tests.multiprocess.resume_setup", "import", str(IMPORT_ROWS)).strip()
    )
    env = {**database.env, "SAMPHAN_HEARTBEAT_MAX_AGE": "600"}  # only the pid check

    def cursor() -> int:
        return int(one(database, "SELECT next_row FROM customers_importjob WHERE id = ?", (job,)))

    first = worker(env)
    try:
        wait_for(lambda: cursor() > 0, 120, "the first batch")
        time.sleep(random.uniform(0, 0.3))
    finally:
        kill(first)
    assert cursor() < IMPORT_ROWS, "the import ended before the kill"
    assert one(database, "SELECT status FROM django_tasks_database_dbtaskresult") == "RUNNING"
    second = worker(env)
    try:
        wait_for(
            lambda: one(database, "SELECT status FROM customers_importjob WHERE id = ?", (job,))
            == "done",
            120, "the import to finish",
        )  # fmt: skip
    finally:
        stop(second)
    created, updated, skipped, failed = rows(
        database,
        "SELECT created_count, updated_count, skipped_count, failed_count "
        "FROM customers_importjob WHERE id = ?",
        (job,),
    )[0]
    assert (created, updated, skipped, failed) == (IMPORT_ROWS, 0, 0, 0)
    assert one(database, "SELECT COUNT(*) FROM customers_customer") == IMPORT_ROWS
    assert one(database, "SELECT COUNT(DISTINCT display_name) FROM customers_customer") == (
        IMPORT_ROWS
    )
    audits = one(
        database,
        "SELECT COUNT(*) FROM core_auditevent WHERE subject_type = ? AND subject_id = ?",
        ("customers.importjob", job),
    )
    assert audits == 1
    statuses = rows(database, "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
    assert [status for status, _ in statuses] == ["SUCCESSFUL"]


ROLLUP_SUMS = {
    "daily": "SELECT channel, SUM(revenue), SUM(order_count) FROM analytics_dailysales "
    "GROUP BY channel ORDER BY channel",
    "orders": "SELECT channel, SUM(revenue), COUNT(*) FROM sales_order WHERE status = 'paid' "
    "GROUP BY channel ORDER BY channel",
}


def rebuilding(database: Database) -> bool:
    """Whether another connection is writing the roll-ups, in a transaction not committed."""
    if database.url:
        return bool(one(database, WRITING_ROLLUPS))
    connection = sqlite3.connect(database.path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # refused while another holds the write lock
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()
    return False


WRITING_ROLLUPS = """SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = 'analytics_customeractivity' AND l.mode = 'RowExclusiveLock'
    AND l.pid <> pg_backend_pid()"""


def test_a_rollup_rebuild_killed_midway_leaves_whole_rollups_and_a_rerun_equals_sql(database):
    database.manage("-m", "samphan", "demo", "--customers", "2000", "--quiet")
    activity = "SELECT COUNT(*) FROM analytics_customeractivity"
    before = {"activity": one(database, activity), **{
        name: rows(database, query) for name, query in ROLLUP_SUMS.items()}}  # fmt: skip
    assert before["activity"] > 0
    assert [(c, round(float(r), 2), int(n)) for c, r, n in before["daily"]] == [
        (c, round(float(r), 2), int(n)) for c, r, n in before["orders"]
    ]
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:  # a reader of the roll-ups all along
        while not done.is_set():
            seen.append((one(database, activity),
                         one(database, "SELECT COUNT(*) FROM analytics_dailysales")))  # fmt: skip

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(KILLS):
            rebuild = subprocess.Popen(
                [sys.executable, "-m", "samphan", "analytics_rebuild"], env=database.env,
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            # Killed while it writes (0.5-1 s here, from its first write seen), at random.
            wait_for(lambda: rebuilding(database) or rebuild.poll() is not None, 120, "it")  # noqa: B023
            time.sleep(random.uniform(0.1, 0.4))
            assert rebuild.poll() is None, "the rebuild ended before the kill"
            kill(rebuild)
        time.sleep(0.3)
    finally:
        done.set()
        reader.join()
    days = len(before["daily"]) and one(database, "SELECT COUNT(*) FROM analytics_dailysales")
    assert seen, "the reader read nothing"
    assert all(pair == (before["activity"], days) for pair in seen), sorted(set(seen))[:5]
    database.manage("-m", "samphan", "analytics_rebuild")
    assert one(database, activity) == before["activity"]
    daily = rows(database, ROLLUP_SUMS["daily"])
    orders = rows(database, ROLLUP_SUMS["orders"])
    assert [(c, round(float(r), 2), int(n)) for c, r, n in daily] == [
        (c, round(float(r), 2), int(n)) for c, r, n in orders
    ]
