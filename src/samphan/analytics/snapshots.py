"""Precomputed figures for the users who see every record (the same for all of them):
served from a table, kept fresh in the background.

A request never waits for a stale snapshot: it gets the last figures with the time they
are of (shown on the page); only the very first request for a key computes in line.
The worker keeps every snapshot looked at in the last ten minutes fresh (``keep_fresh``,
every ``KEEP_FRESH_EVERY`` seconds): one whose sources changed (an order written or
changed, a visit, a customer, a new day) is recomputed, the others are still right and
are marked as of now. So figures lag new orders by at most that interval plus the time
to compute them, whoever is looking. A request for a snapshot over a minute old (no
worker keeping it, or nobody looked for a while) also queues one recomputation.
Users limited to their own records get live figures (their share of the data is small).
"""

import datetime as dt
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics.models import OrdersVersion, Snapshot
from samphan.customers.models import Customer, Interaction
from samphan.sales.models import Order

MAX_AGE = dt.timedelta(seconds=60)
QUEUED_GIVE_UP = dt.timedelta(minutes=10)
KEEP_FRESH_FOR = dt.timedelta(minutes=10)  # after the last look
KEEP_FRESH_EVERY = 15.0  # seconds
VIEWED_EVERY = dt.timedelta(minutes=1)  # how often a look is written down

# What each kind of key is computed by: "dashboard:this_month" → BUILDERS["dashboard"].
BUILDERS: dict[str, Callable[[str], dict[str, Any]]] = {}
# What a kind reads beyond ``sources_mark``'s sources (the funnel's leads and deals), as a
# mark of its own that moves when they change.
MORE_SOURCES: dict[str, Callable[[], str]] = {}


def all_records_user() -> User:
    """A stand-in for "someone who sees all records", for computing shared figures."""
    return User(username="insights", is_superuser=True)


def snapshot(key: str) -> tuple[dict[str, Any], dt.datetime]:
    """The figures of ``key`` and when they were computed."""
    found = Snapshot.objects.filter(key=key).first()
    now = timezone.now()
    if found is None:
        computed = _compute(key)
        Snapshot.objects.filter(key=key).update(viewed_at=now)
        return computed
    if found.viewed_at is None or now - found.viewed_at > VIEWED_EVERY:
        Snapshot.objects.filter(pk=found.pk).update(viewed_at=now)
    # Queued already (the row just read says so): the claim would change nothing.
    queued = found.queued_at is not None and found.queued_at > now - QUEUED_GIVE_UP
    if now - found.computed_at > MAX_AGE and not queued:
        _queue(key)
    return found.data, found.computed_at


def sources_mark() -> str:
    """What every snapshot is computed from, in a few reads of primary keys: it changes
    with a new order, a change to one (``OrdersVersion``), a new visit or interaction, a
    new customer, the day (periods and "expected today" move with it) and ``FIGURES``.
    A kind that reads more adds its own mark (``MORE_SOURCES``, ``_mark_of``)."""
    latest = {
        model: model.objects.aggregate(latest=Max("pk"))["latest"]
        for model in (Order, Interaction, Customer)
    }
    version = OrdersVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return (
        f"{timezone.localdate()}:{latest[Order]}:{version}:{latest[Interaction]}:{latest[Customer]}"
        f":{FIGURES}"
    )


def _mark_of(key: str, common: str) -> str:
    more = MORE_SOURCES.get(key.partition(":")[0])
    return f"{common}|{more()}" if more else common


# Raised when the figures a snapshot holds change meaning or shape (a release that counts
# differently): every snapshot is then recomputed by the worker's next round.
FIGURES = 2  # 2: concentration of the top ⌈n% × N⌉, the Gini index, like-for-like KPIs


# The figures shared by the snapshots of one round of ``keep_fresh`` (see ``shared``).
_round: ContextVar[dict[str, Any] | None] = ContextVar("snapshot_round", default=None)


def shared(name: str, compute: Callable[[], Any]) -> Any:
    """A figure that several snapshots hold alike (the customer counts, the sizes of the
    regulars lists, whatever the period): computed once a round of ``keep_fresh``, where
    six periods' dashboards would otherwise each compute it; else each time."""
    found = _round.get()
    if found is None:
        return compute()
    if name not in found:
        found[name] = compute()
    return found[name]


def _compute(
    key: str, *, sources: str | None = None, as_of: dt.datetime | None = None
) -> tuple[dict[str, Any], dt.datetime]:
    """Compute and store ``key``. Its sources' mark and time are read first (or given, by a
    round): a change while computing is then seen as a change next time."""
    kind, _, argument = key.partition(":")
    started = time.perf_counter()
    sources = sources or _mark_of(key, sources_mark())
    as_of = as_of or timezone.now()
    data = BUILDERS[kind](argument)
    try:
        with transaction.atomic():
            Snapshot.objects.update_or_create(
                key=key,
                defaults={
                    "data": data,
                    "computed_at": as_of,
                    "seconds": round(time.perf_counter() - started, 3),
                    "queued_at": None,
                    "sources": sources,
                },
            )
    except IntegrityError:  # another request stored it first: theirs is as good
        pass
    return data, as_of


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
    snapshot_refresh.enqueue(key)


def refresh(key: str) -> None:
    """Bring ``key`` up to date now (the task)."""
    _bring_up_to_date(key, _mark_of(key, sources_mark()), timezone.now())


@task()
def snapshot_refresh(key: str) -> None:
    """Recompute one snapshot of shared figures; queued when it is a minute old."""
    refresh(key)


def _bring_up_to_date(key: str, sources: str, as_of: dt.datetime) -> bool:
    """Recompute ``key`` if its sources changed from ``sources`` (True), else mark it as
    of ``as_of``, when they were read."""
    unchanged = Snapshot.objects.filter(key=key, sources=sources).update(
        computed_at=as_of, queued_at=None
    )
    if unchanged:
        return False
    _compute(key, sources=sources, as_of=as_of)
    return True


def keep_fresh() -> int:
    """Bring every snapshot looked at in the last ten minutes up to date (the worker calls
    this every ``KEEP_FRESH_EVERY`` seconds); how many were recomputed."""
    common, now = sources_mark(), timezone.now()
    marks: dict[str, str] = {}  # per kind, read once a round
    viewed = Snapshot.objects.filter(viewed_at__gte=now - KEEP_FRESH_FOR)
    recomputed = 0
    token = _round.set({})
    try:
        for key in viewed.order_by("key").values_list("key", flat=True):
            # Claimed as a queued refresh is, so that two workers (or a worker and a task
            # queued by a request) do not both compute it.
            claimed = (
                Snapshot.objects.filter(key=key)
                .exclude(queued_at__gt=now - VIEWED_EVERY)
                .update(queued_at=now)
            )
            if claimed:
                kind = key.partition(":")[0]
                if kind not in marks:
                    marks[kind] = _mark_of(key, common)
                # As of the round's start: the figures read after it are at least as new.
                recomputed += _bring_up_to_date(key, marks[kind], now)
    finally:
        _round.reset(token)
    return recomputed
