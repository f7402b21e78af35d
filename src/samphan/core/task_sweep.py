"""Tasks left "running" by a dead worker, found and put back (issue 22).

django-tasks-db (0.13) claims a task by marking it RUNNING with the worker's id and has
no lease: a worker killed mid-task (SIGKILL, the out-of-memory killer, a power cut)
leaves it RUNNING for ever, and no other worker takes it. ``samphan worker`` runs
db_worker with its heartbeat name (``host:pid``) as the worker id, so a task's last
worker id names a heartbeat row; the sweep (at the worker's start, then beside every
heartbeat) treats that worker as dead when its process is gone from this host, or when
its beat is older than ``SAMPHAN_HEARTBEAT_MAX_AGE`` seconds, the age at which
``/readyz`` too counts a worker gone (another host, or a worker of an older release that
wrote no beat under that name).

Every task of Samphan is safe to run twice (an import resumes at its cursor, an export
starts its file afresh, a rebuild recomputes), so a dead worker's task is queued again;
one that has already been started ``RESTARTS_MOST`` times is marked failed instead, so a
task that itself kills its worker (say, by running out of memory) does not do it for
ever."""

import datetime as dt
import logging
import os
import socket
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samphan.core.models import WorkerHeartbeat

logger = logging.getLogger("samphan.worker")

RESTARTS_MOST = 3  # starts of one task before the sweep gives up on it
DEAD_TRACEBACK = "The worker running this task died (killed or out of memory) {} times."


def process_gone(name: str) -> bool:
    """Whether ``name`` (``host:pid``) is a process of this host that no longer runs."""
    host, _, pid = name.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    return False


def tasks_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue again (or fail) the RUNNING tasks whose worker is dead; the counts."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SAMPHAN_HEARTBEAT_MAX_AGE)
    beats = dict(WorkerHeartbeat.objects.values_list("name", "beat_at"))
    counts = {"requeued": 0, "failed": 0}
    for result in DBTaskResult.objects.running().only("pk", "worker_ids"):
        worker = result.worker_ids[-1] if result.worker_ids else ""
        beat = beats.get(worker)
        if beat is not None and beat >= cutoff and not process_gone(worker):
            continue
        outcome = _put_back(result.pk, worker)
        if outcome:
            counts[outcome] += 1
    return counts


def _put_back(pk: uuid.UUID, worker: str) -> str:
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
        if result is None or result.status != "RUNNING" or result.worker_ids[-1:] != [worker]:
            return ""  # finished, or taken by another sweep, meanwhile
        starts = len(result.worker_ids)
        if starts >= RESTARTS_MOST:
            result.status = "FAILED"
            result.finished_at = timezone.now()
            result.exception_class_path = "samphan.core.task_sweep.WorkerDied"
            result.traceback = DEAD_TRACEBACK.format(starts)
            result.save(update_fields=["status", "finished_at", "exception_class_path",
                                       "traceback"])  # fmt: skip
            outcome = "failed"
        else:
            result.status = "READY"
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            outcome = "requeued"
    logger.warning("tasks: %s %s of dead worker %s", outcome, result.task_path, worker)
    return outcome
