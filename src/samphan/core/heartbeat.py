"""The worker's heartbeat: ``samphan worker`` rewrites its row every ``BEAT_EVERY``
seconds, and ``/readyz`` (``core.health``) fails when the newest beat is older than
``SAMPHAN_HEARTBEAT_MAX_AGE``. Rows of workers silent for a day are pruned."""

import datetime as dt
import os
import socket
from collections.abc import Callable

from django.utils import timezone

from samphan.core.background import Loop
from samphan.core.models import WorkerHeartbeat

BEAT_EVERY = 10.0  # seconds
PRUNE_AFTER = dt.timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_beat(*, name: str, started_at: dt.datetime) -> None:
    """Record that the worker ``name`` is alive now; drop the rows of long-gone workers."""
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(name=name).update(beat_at=now):
        WorkerHeartbeat.objects.create(name=name, started_at=started_at, beat_at=now)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - PRUNE_AFTER).delete()


def heartbeat_age() -> float | None:
    """Seconds since the newest beat of any worker (None: no worker ever beat)."""
    newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    return None if newest is None else max((timezone.now() - newest).total_seconds(), 0.0)


def heartbeat_loop(after: Callable[[], object] | None = None) -> Loop:
    """The loop ``samphan worker`` runs beside the registered ones; ``after`` runs after
    each beat (the worker's sweep of tasks left running by dead workers)."""
    name, started_at = worker_name(), timezone.now()

    def beat() -> None:
        heartbeat_beat(name=name, started_at=started_at)
        if after is not None:
            after()

    return Loop("heartbeat", BEAT_EVERY, beat)
