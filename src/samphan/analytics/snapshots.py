"""Precomputed figures for the users who see every record (the same for all of them):
served from a table, recomputed in the background once they are a minute old.

A request never waits for a stale snapshot: it gets the last figures with the time they
were computed (shown on the page) and queues one recomputation; only the very first
request for a key computes in line. Users limited to their own records get live figures
(their share of the data is small).
"""

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.models import Snapshot

MAX_AGE = dt.timedelta(seconds=60)
QUEUED_GIVE_UP = dt.timedelta(minutes=10)

# What each kind of key is computed by: "dashboard:this_month" → BUILDERS["dashboard"].
BUILDERS: dict[str, Callable[[str], dict[str, Any]]] = {}


def all_records_user() -> User:
    """A stand-in for "someone who sees all records", for computing shared figures."""
    return User(username="insights", is_superuser=True)


def snapshot(key: str) -> tuple[dict[str, Any], dt.datetime]:
    """The figures of ``key`` and when they were computed."""
    found = Snapshot.objects.filter(key=key).first()
    if found is None:
        return _compute(key)
    if timezone.now() - found.computed_at > MAX_AGE:
        _queue(key)
    return found.data, found.computed_at


def _compute(key: str) -> tuple[dict[str, Any], dt.datetime]:
    kind, _, argument = key.partition(":")
    started = time.perf_counter()
    data = BUILDERS[kind](argument)
    now = timezone.now()
    try:
        with transaction.atomic():
            Snapshot.objects.update_or_create(
                key=key,
                defaults={
                    "data": data,
                    "computed_at": now,
                    "seconds": round(time.perf_counter() - started, 3),
                    "queued_at": None,
                },
            )
    except IntegrityError:  # another request stored it first: theirs is as good
        pass
    return data, now


def _queue(key: str) -> None:
    now = timezone.now()
    claimed = (
        Snapshot.objects.filter(key=key)
        .exclude(queued_at__gt=now - QUEUED_GIVE_UP)
        .update(queued_at=now)
    )
    if claimed:
        transaction.on_commit(lambda: _enqueue(key), robust=True)


def _enqueue(key: str) -> None:
    from samphan.analytics.tasks import snapshot_refresh

    snapshot_refresh.enqueue(key)


def refresh(key: str) -> None:
    """Recompute ``key`` now (the task)."""
    _compute(key)
