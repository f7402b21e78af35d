"""Work the worker process repeats beside its task queue, each in a thread of its own:
apps register a function and an interval in their ``ready()`` (core knows no app), and
``samphan worker`` runs them until it stops."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections

from samphan.core.busy import database_trouble, first_line

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loop:
    name: str
    every: float  # seconds between the end of one run and the start of the next
    function: Callable[[], object]


_loops: dict[str, Loop] = {}


def loop_register(name: str, every: float, function: Callable[[], object]) -> None:
    _loops[name] = Loop(name, every, function)


def registered() -> list[Loop]:
    return list(_loops.values())


class Loops:
    """Loops (the registered ones by default), each in a daemon thread, until ``stop()``."""

    def __init__(self, loops: list[Loop] | None = None) -> None:
        self.loops = registered() if loops is None else loops
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "Loops":
        for loop in self.loops:
            thread = threading.Thread(target=self._run, args=(loop,), name=loop.name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        for thread in self._threads:
            thread.join()

    def _run(self, loop: Loop) -> None:
        try:
            while not self._stopped.wait(loop.every):
                try:
                    loop.function()
                except Exception as error:  # one failed run (a lock, the database away): the next
                    trouble = database_trouble(error)
                    if trouble is None:
                        logger.exception("%s failed", loop.name)
                    else:  # one line each time, not a traceback twice a second
                        logger.warning(
                            "%s: database %s (%s)", loop.name, trouble, first_line(error)
                        )
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own connections
