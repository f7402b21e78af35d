"""The worker's loops live through a database that goes away: one warning line per failed
try (not a traceback twice a second), and the next try at the loop's pace (issue 22)."""

import logging
import threading

from django.db import OperationalError

from samphan.core.background import Loop, Loops


def test_a_loop_logs_one_line_per_try_while_the_database_is_away_then_resumes(caplog):
    tries: list[int] = []
    resumed = threading.Event()

    def send() -> None:
        tries.append(1)
        if len(tries) <= 3:
            raise OperationalError('connection to server at "127.0.0.1" failed: refused\nmore')
        resumed.set()

    with caplog.at_level(logging.WARNING, logger="samphan.core.background"):
        loops = Loops([Loop("outbox", 0.01, send)]).start()
        try:
            assert resumed.wait(5)
        finally:
            loops.stop()
    lines = [record for record in caplog.records if record.name == "samphan.core.background"]
    assert len(lines) == 3
    assert all(record.levelno == logging.WARNING and not record.exc_info for record in lines)
    assert lines[0].getMessage() == (
        'outbox: database unavailable (connection to server at "127.0.0.1" failed: refused)'
    )


def test_a_lock_wait_is_named_busy_and_a_bug_keeps_its_traceback(caplog):
    errors = iter([OperationalError("database is locked"), ValueError("a bug")])
    done = threading.Event()

    def work() -> None:
        error = next(errors, None)
        if error is None:
            done.set()
            return
        raise error

    with caplog.at_level(logging.WARNING, logger="samphan.core.background"):
        loops = Loops([Loop("snapshots", 0.01, work)]).start()
        try:
            assert done.wait(5)
        finally:
            loops.stop()
    busy, bug = [r for r in caplog.records if r.name == "samphan.core.background"][:2]
    assert busy.getMessage() == "snapshots: database busy (database is locked)"
    assert bug.getMessage() == "snapshots failed" and bug.exc_info is not None
