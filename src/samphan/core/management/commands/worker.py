import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections

from samphan.core.background import Loops, registered
from samphan.core.busy import database_trouble, first_line
from samphan.core.checkpoints import Checkpointer
from samphan.core.heartbeat import heartbeat_loop, worker_name
from samphan.core.task_sweep import tasks_sweep

logger = logging.getLogger("samphan.worker")

# While the database is away, db_worker is started again after these many seconds,
# doubling from the first to the last (so it is back within WAIT_MOST of the database).
WAIT_FIRST = 0.5
WAIT_MOST = 5.0


class Command(BaseCommand):
    help = (
        "Run the background task worker (django-tasks-db's db_worker) and the apps' "
        "repeated work (such as keeping the dashboard's figures fresh); on SQLite it also "
        "checkpoints the write-ahead log, so web requests do not. It records a heartbeat "
        "every 10 seconds (/readyz reads it) and waits, then resumes, while the database is "
        "away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*")

    def handle(self, *args: object, **options: object) -> None:
        heartbeat = heartbeat_loop(tasks_sweep)
        try:
            heartbeat.function()  # at once: a fresh worker is ready before its first 10 s,
            # and the tasks a dead worker left running are queued again (core.task_sweep)
        except DatabaseError as error:
            logger.warning("heartbeat: database unavailable (%s)", first_line(error))
            connections.close_all()
        checkpointer = Checkpointer().start()
        loops = Loops([*registered(), heartbeat]).start()
        try:
            tasks_run(str(options["queue_name"]))
        finally:
            loops.stop()
            checkpointer.stop()


def tasks_run(queue_name: str) -> None:
    """db_worker, started again with a growing wait each time the database fails it."""
    wait = WAIT_FIRST
    while True:
        started = time.monotonic()
        try:
            # The heartbeat's name as the worker id: the sweep knows whose task is whose.
            call_command("db_worker", queue_name=queue_name, worker_id=worker_name())
        except DatabaseError as error:
            if database_trouble(error) is None:
                raise  # a bug, not the database away
            connections.close_all()  # a dead connection is never reused
            if time.monotonic() - started > WAIT_MOST * 4:
                wait = WAIT_FIRST  # it ran a while: a new outage, start short again
            logger.warning(
                "tasks: database unavailable (%s); trying again in %.1f s", first_line(error), wait
            )
            time.sleep(wait)
            wait = min(wait * 2, WAIT_MOST)
        else:
            return
