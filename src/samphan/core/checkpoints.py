"""SQLite write-ahead-log checkpoints off the request path.

Every commit appends the pages it changed to the WAL; a checkpoint copies them back into
the database file and syncs it, the one step of a write that waits for the disk. Left to
SQLite, the writer whose commit crosses the threshold does it, inside its own request: an
order then pays for the 250 before it, a share of recording an order worth moving off it
(measured in docs/performance.md, "WAL checkpoints"). The worker runs ``Checkpointer``
instead, a thread with its own connection that checkpoints a few times a second beside
the writers (a ``PASSIVE`` checkpoint never blocks them), and the writers' own threshold
stays as the backstop for when no worker runs.
"""

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from django.db import connections

INTERVAL = 0.25  # seconds: at 1,000 orders a second, some 9,000 pages between two


def checkpoint(path: str | Path) -> tuple[int, int, int]:
    """One passive checkpoint of the database at ``path``: (busy, pages in the WAL,
    pages copied back), as SQLite reports it."""
    with closing(sqlite3.connect(path, timeout=5)) as database:
        return _checkpoint(database)


def _checkpoint(database: sqlite3.Connection) -> tuple[int, int, int]:
    busy, log, copied = database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(busy), int(log), int(copied)


class Checkpointer:
    """Checkpoints one SQLite database every ``interval`` seconds in a daemon thread until
    ``stop()``; does nothing for other databases."""

    def __init__(self, alias: str = "default", interval: float = INTERVAL) -> None:
        settings = connections[alias].settings_dict
        self.path = settings["NAME"] if settings["ENGINE"].endswith("sqlite3") else None
        self.interval = interval
        self.checkpoints = 0
        self.last: tuple[int, int, int] | None = None  # as ``checkpoint`` returns it
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Checkpointer":
        if self.path is not None:
            self._thread = threading.Thread(
                target=self._run, args=(self.path,), name="sqlite-checkpoints", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, path: str | Path) -> None:
        with closing(sqlite3.connect(path, timeout=5)) as database:
            while not self._stopped.wait(self.interval):
                try:
                    self.last = _checkpoint(database)
                except sqlite3.OperationalError:
                    continue  # locked for longer than the timeout: next time
                self.checkpoints += 1
