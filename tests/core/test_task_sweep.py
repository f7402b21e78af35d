"""The worker's sweep of tasks left RUNNING by a dead worker (core/task_sweep.py): queued
again when their worker's process is gone or its heartbeat is old, failed after
RESTARTS_MOST starts, left alone while their worker lives. The end-to-end proof with a
real SIGKILL is tests/multiprocess/test_kill_resume.py (the import test)."""

import datetime as dt
import socket
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samphan.core.heartbeat import worker_name
from samphan.core.models import WorkerHeartbeat
from samphan.core.task_sweep import RESTARTS_MOST, tasks_sweep

pytestmark = pytest.mark.django_db


def dead_name() -> str:
    """host:pid of a process of this host that has ended."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return f"{socket.gethostname()}:{ended.stdout.strip()}"


def running(*workers: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING", args_kwargs={"args": [], "kwargs": {}}, worker_ids=list(workers),
        task_path="samphan.sales.tasks.affinities_refresh", backend_name="default",
        run_after=timezone.now(), started_at=timezone.now(),
    )  # fmt: skip


def beat(name: str, seconds_ago: float) -> None:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(name=name, started_at=at, beat_at=at)


def test_a_dead_workers_task_is_queued_again_and_a_live_ones_is_left(settings):
    settings.SAMPHAN_HEARTBEAT_MAX_AGE = 60
    dead, here = dead_name(), worker_name()
    beat(dead, 1)  # beat a second ago, but its process is gone
    beat(here, 1)
    beat("elsewhere:7", 61)  # another host, silent too long
    beat("busy:8", 30)  # another host, alive
    orphans = [running(dead), running("elsewhere:7"), running("never-beat")]
    alive = [running(here), running("busy:8")]
    assert tasks_sweep() == {"requeued": 3, "failed": 0}
    for task in orphans:
        task.refresh_from_db()
        assert (task.status, task.started_at) == ("READY", None)
    for task in alive:
        task.refresh_from_db()
        assert task.status == "RUNNING"
    assert tasks_sweep() == {"requeued": 0, "failed": 0}  # once


def test_a_task_that_killed_its_worker_each_time_is_failed_at_last():
    task = running(*[dead_name()] * RESTARTS_MOST)
    assert tasks_sweep() == {"requeued": 0, "failed": 1}
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.finished_at is not None
    assert "died" in task.traceback
