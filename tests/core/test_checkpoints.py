"""The worker's WAL checkpoints: on a real SQLite file, written by another connection."""

import sqlite3
import time
from contextlib import closing

from django.db import connections

from samphan.core.checkpoints import Checkpointer, checkpoint


def wal_database(path):
    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA wal_autocheckpoint=0")  # only the checkpointer copies back
    database.execute("CREATE TABLE t (x TEXT)")
    return database


def test_a_checkpoint_copies_the_wal_back(tmp_path):
    path = tmp_path / "db.sqlite3"
    with closing(wal_database(path)) as database:
        with database:
            database.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        busy, log, copied = checkpoint(path)
        assert busy == 0 and log > 0 and copied == log
        assert checkpoint(path)[2] == log  # nothing new since: the same pages, all copied


def test_the_checkpointer_thread_keeps_up_with_a_writer(tmp_path):
    path = tmp_path / "db.sqlite3"
    connections.settings["checkpoints"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
    }
    try:
        with closing(wal_database(path)) as database:
            checkpointer = Checkpointer("checkpoints", interval=0.01).start()
            try:
                for _ in range(20):
                    with database:
                        database.execute("INSERT INTO t VALUES (?)", ("x" * 500,))
                    time.sleep(0.005)
                written = checkpointer.checkpoints
                deadline = time.monotonic() + 5
                while checkpointer.checkpoints < written + 2 and time.monotonic() < deadline:
                    time.sleep(0.01)
            finally:
                checkpointer.stop()
            # A checkpoint after the last write found every page of the WAL and copied it.
            assert checkpointer.last is not None
            busy, log, copied = checkpointer.last
            assert busy == 0 and log > 0 and copied == log
    finally:
        del connections.settings["checkpoints"]


def test_no_thread_for_postgresql():
    connections.settings["elsewhere"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
    }
    try:
        checkpointer = Checkpointer("elsewhere").start()
        assert checkpointer.path is None and checkpointer._thread is None
        checkpointer.stop()
    finally:
        del connections.settings["elsewhere"]
