"""The paid orders as columns in memory, for the analyses that sum any period's orders per
customer (top customers, shares, the breakdown by group) for users who see every record.

SQLite answers those by reading the period's orders from an index and sorting them by
customer, far slower than a column store (DuckDB) at a million customers
(docs/performance.md). Here each process keeps five NumPy columns of the paid orders (customer, second,
revenue, profit, channel: 29 bytes an order, 130 MB at a million customers) and sums a
period with ``bincount``.

The copy is exact, not a cache with an age:
- new orders are appended: each use reads the paid orders with an id above the copy's
  (ids grow; on PostgreSQL an id left behind by a transaction still open is kept and read
  again until it commits or ten minutes pass);
- a change to an order already written (status, refund, a customer merge, a deletion)
  bumps ``OrdersVersion`` in its own transaction, and the next use reloads the copy;
- the version's row starts at a random number, and without the row the copy is not used:
  a database emptied or restored under a running process (a test's flush, a backup) is
  not taken for the one the copy was made from.
It is read only outside a transaction: inside one, uncommitted orders could enter a copy
that outlives a rollback.
"""

import datetime as dt
import itertools
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction

from samphan.analytics.models import OrdersVersion
from samphan.core import sql
from samphan.sales.models import Order

CHANNELS = list(Order.Channel.values)
# An id that a transaction took and has not committed is looked for again until then.
PENDING_FOR = 600.0  # seconds
CHUNK = 20_000  # rows a load holds as Python objects at once

ORDERS = Order._meta.db_table
VERSION = OrdersVersion._meta.db_table
VERSION_SELECT = f"SELECT version FROM {VERSION} WHERE id = 1"  # noqa: S608 - the model's table
# A random first version (not a secret, only not a repeat): see the module's docstring.
VERSION_BUMP = (
    f"INSERT INTO {VERSION} (id, version) VALUES (1, %s) "  # noqa: S608 - the model's table
    f"ON CONFLICT (id) DO UPDATE SET version = {VERSION}.version + 1"
)
MAX_ID = f"SELECT MAX(id) FROM {ORDERS}"  # noqa: S608 - the model's table
# The sales channel as its position in CHANNELS (the model's choices), -1 for none.
CHANNEL_CODE = (
    "CASE channel "
    + " ".join(f"WHEN '{value}' THEN {code}" for code, value in enumerate(CHANNELS))
    + " ELSE -1 END"
)
# Which paid orders a load reads, and a top-up (with the ids an open transaction held back).
LOAD_WHERE = "id <= %s"
TOP_UP_WHERE = "(id > %s AND id <= %s)"
# Ids up to a top that no order holds (PostgreSQL: possibly an open transaction's).
GAPS = (
    "SELECT s.id FROM generate_series(%s + 1, %s) AS s(id) "  # noqa: S608 - the model's table
    f"LEFT JOIN {ORDERS} o ON o.id = s.id WHERE o.id IS NULL"
)


@dataclass
class PaidOrders:
    version: int
    max_id: int
    customer: np.ndarray  # int64 ids
    second: np.ndarray  # int64, seconds since 1970 (UTC), the order time truncated
    revenue: np.ndarray  # float64
    profit: np.ndarray  # float64
    channel: np.ndarray  # int8, positions in CHANNELS
    pending: dict[int, float] = field(default_factory=dict)  # missing id → first seen

    def within(self, start: dt.datetime | None, end: dt.datetime | None) -> np.ndarray:
        """A mask of the orders in [start, end). Period bounds fall on whole seconds
        (local midnights), so comparing truncated seconds is exact."""
        mask = np.ones(len(self.customer), dtype=bool)
        if start is not None:
            mask &= self.second >= int(start.timestamp())
        if end is not None:
            mask &= self.second < int(end.timestamp())
        return mask


_lock = threading.Lock()
_copy: PaidOrders | None = None
_loader: threading.Thread | None = None
# Tests load in the calling thread, so that each call reads the columns it just loaded.
LOAD_IN_BACKGROUND = True


def usable() -> bool:
    return not connection.in_atomic_block


def paid_orders() -> PaidOrders | None:
    """The process's copy brought up to date (two small queries when nothing changed), or
    None while it is being loaded: a first use, or after a change to an order already
    written. Loading takes seconds at a million customers (docs/performance.md), so it
    happens in a thread of its own and the caller answers by SQL meanwhile: never slower
    than without the copy."""
    global _copy
    version = current_version()
    if version is None:
        return None
    with _lock:
        if _copy is not None and _copy.version == version:
            _copy = _top_up(_copy)
            return _copy
        if LOAD_IN_BACKGROUND:
            _load_in_background(version)
            return None
    _install(_load(version))
    return paid_orders()


def _load_in_background(version: int) -> None:
    global _loader
    if _loader is not None and _loader.is_alive():
        return

    def load() -> None:
        try:
            _install(_load(version))
        finally:
            connection.close()  # this thread's own connection

    _loader = threading.Thread(target=load, name="samphan-columns", daemon=True)
    _loader.start()


def _install(copy: PaidOrders) -> None:
    global _copy
    with _lock:
        _copy = copy


def wait_for_load(timeout: float = 60.0) -> None:
    """Until a background load has finished (tests, the benchmark's warm-up)."""
    loader = _loader
    if loader is not None:
        loader.join(timeout)


def forget() -> None:
    """Drop the process's copy (tests that empty the database)."""
    global _copy
    wait_for_load()
    with _lock:
        _copy = None


def current_version() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SELECT)
        row = cursor.fetchone()
    return row[0] if row else None


def orders_changed() -> None:
    """Orders already written changed: every process reloads its copy on its next use.
    Call in the transaction of the change."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_BUMP, [random.getrandbits(62)])


def _select(where: str) -> str:
    """The paid orders matching ``where`` (one of the WHERE constants) as six numbers: id,
    customer, the order time in whole seconds since 1970 (UTC), revenue and profit as
    doubles, the channel's code."""
    second = sql.pick(
        postgresql="FLOOR(EXTRACT(EPOCH FROM ordered_at))::bigint",
        sqlite="CAST(strftime('%%s', ordered_at) AS INTEGER)",
    )
    revenue, profit = (
        sql.pick(postgresql=f"{column}::float8", sqlite=f"CAST({column} AS REAL)")
        for column in ("revenue", "profit")
    )
    return (
        f"SELECT id, customer_id, {second}, {revenue}, {profit}, {CHANNEL_CODE} "  # noqa: S608 - constants and core.sql fragments
        f"FROM {ORDERS} WHERE status = 'paid' AND {where}"
    )


def _max_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(MAX_ID)
        return cursor.fetchone()[0] or 0


def _load(version: int) -> PaidOrders:
    """The whole copy, streamed: counted first, read in chunks of CHUNK rows (a server-side
    cursor on PostgreSQL) into arrays of that size, so that the load's peak is the copy
    plus one chunk (docs/performance.md, "Memory per process")."""
    top = _max_id()
    with connection.cursor() as cursor:
        cursor.execute(_count(LOAD_WHERE), [top])
        expected = cursor.fetchone()[0]
    with transaction.atomic():  # a server-side cursor needs no WITH HOLD inside one
        customer, second, revenue, profit, channel = _columns(
            _select(LOAD_WHERE), [top], expected=expected, stream=True
        )
    copy = PaidOrders(version, top, customer, second, revenue, profit, channel)
    copy.pending = _missing(copy, None, top)
    return copy


def _top_up(copy: PaidOrders) -> PaidOrders:
    """The copy with the paid orders written since (and those an open transaction held
    back, once committed): a new object, so that a reader in another thread keeps columns
    of one length."""
    top = _max_id()
    if top <= copy.max_id and not copy.pending:
        return copy
    waiting = list(copy.pending)
    where = TOP_UP_WHERE + (f" OR id IN ({sql.placeholders(len(waiting))})" if waiting else "")
    ids, *added = _columns(_select(f"({where})"), [copy.max_id, top, *waiting], with_ids=True)
    old = (copy.customer, copy.second, copy.revenue, copy.profit, copy.channel)
    customer, second, revenue, profit, channel = (
        np.concatenate([before, new]) for before, new in zip(old, added, strict=True)
    )
    now = time.monotonic()
    seen = set(ids.tolist())
    pending = {
        pk: since
        for pk, since in copy.pending.items()
        if pk not in seen and now - since < PENDING_FOR
    }
    pending.update(_missing(copy, seen, top, now=now))
    return PaidOrders(
        copy.version, top, customer, second, revenue, profit, channel, pending=pending
    )


def _missing(
    copy: PaidOrders, seen: set[int] | None, top: int, *, now: float | None = None
) -> dict[int, float]:
    """Ids up to ``top`` that no order holds: on PostgreSQL, possibly an open transaction's.
    SQLite gives ids in commit order (one writer), so nothing is missing there. On a first
    load (``seen`` None) only the last thousand ids are looked at: older gaps are
    deletions and rollbacks long past."""
    if not sql.is_postgresql():
        return {}
    start = copy.max_id if seen is not None else max(0, top - 1_000)
    with connection.cursor() as cursor:
        cursor.execute(GAPS, [start, top])
        gaps = [row[0] for row in cursor.fetchall()]
    moment = time.monotonic() if now is None else now
    return dict.fromkeys(gaps, moment)


# Each row's values, read as doubles, go to these columns (the id only for a top-up).
TYPES = (np.int64, np.int64, np.int64, np.float64, np.float64, np.int8)


def _columns(
    sql: str,
    params: Sequence[Any],
    *,
    with_ids: bool = False,
    expected: int = 0,
    stream: bool = False,
) -> tuple[np.ndarray, ...]:
    """The selected rows as columns, read CHUNK rows at a time into arrays of ``expected``
    rows (grown if more come, trimmed if fewer): never a list of every row. Each chunk goes
    through one float array (every value is a number; ids, customers and seconds are exact
    in a double). ``stream``: a server-side cursor on PostgreSQL (a client-side one holds
    every row of the result in the driver's memory before the first is fetched)."""
    kept = range(0 if with_ids else 1, len(TYPES))
    arrays = [np.empty(expected, TYPES[index]) for index in kept]
    filled = 0
    with connection.chunked_cursor() if stream else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            size = len(rows)
            flat = np.fromiter(itertools.chain.from_iterable(rows), float, size * len(TYPES))
            del rows
            table = flat.reshape(size, len(TYPES))
            if filled + size > len(arrays[0]):
                room = max(filled + size, len(arrays[0]) * 5 // 4)
                arrays = [np.resize(array, room) for array in arrays]
            for array, index in zip(arrays, kept, strict=True):
                array[filled : filled + size] = table[:, index]
            filled += size
    return tuple(array if filled == len(array) else array[:filled].copy() for array in arrays)


def _count(where: str) -> str:
    return f"SELECT COUNT(*) FROM {ORDERS} WHERE status = 'paid' AND {where}"  # noqa: S608 - constants


# -- The analyses over the copy ---------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSums:
    """A period's paid sums of each customer who bought in it, ascending by customer id."""

    customer: np.ndarray
    revenue: np.ndarray
    profit: np.ndarray
    orders: np.ndarray


def per_customer(
    copy: PaidOrders, start: dt.datetime | None, end: dt.datetime | None
) -> CustomerSums:
    mask = copy.within(start, end)
    customers = copy.customer[mask]
    if not len(customers):
        empty = np.empty(0)
        return CustomerSums(empty.astype(np.int64), empty, empty, empty.astype(np.int64))
    size = int(customers.max()) + 1
    orders = np.bincount(customers, minlength=size)
    buyers = np.flatnonzero(orders)
    return CustomerSums(
        customer=buyers,
        revenue=np.bincount(customers, weights=copy.revenue[mask], minlength=size)[buyers],
        profit=np.bincount(customers, weights=copy.profit[mask], minlength=size)[buyers],
        orders=orders[buyers],
    )


def ranks(sums: CustomerSums, *, by: str, limit: int) -> list[tuple[Any, ...]]:
    """The rows ``queries._ranked`` gives: (n, k, running, customer, revenue, profit,
    orders, total revenue, total profit, the sum of every running sum) for the first
    ``limit`` ranks and the first rank to reach each whole percent of customers
    (``queries._is_mark``), ranked by the measure, ties by customer id."""
    k = len(sums.customer)
    if not k:
        return []
    measure = sums.revenue if by == "revenue" else sums.profit
    order = np.lexsort((sums.customer, -measure))
    running = np.cumsum(measure[order])
    n = np.arange(1, k + 1)
    keep = (n <= limit) | (n == k) | ((n * 100) // k != ((n - 1) * 100) // k)
    total_revenue, total_profit = float(sums.revenue.sum()), float(sums.profit.sum())
    area = float(running.sum())
    return [
        (int(rank), k, float(run), int(sums.customer[i]), float(sums.revenue[i]),
         float(sums.profit[i]), int(sums.orders[i]), total_revenue, total_profit, area)
        for rank, run, i in zip(n[keep], running[keep], order[keep], strict=True)
    ]  # fmt: skip


def channel_rows(
    copy: PaidOrders, start: dt.datetime | None, end: dt.datetime | None, *, by: str
) -> list[tuple[Any, ...]]:
    """(channel, customers, orders, revenue, profit) per sales channel, largest first."""
    mask = copy.within(start, end) & (copy.channel >= 0)
    channels, customers = copy.channel[mask], copy.customer[mask]
    size = len(CHANNELS)
    orders = np.bincount(channels, minlength=size)
    revenue = np.bincount(channels, weights=copy.revenue[mask], minlength=size)
    profit = np.bincount(channels, weights=copy.profit[mask], minlength=size)
    found = [
        (value, len(np.unique(customers[channels == code])), int(orders[code]),
         float(revenue[code]), float(profit[code]))
        for code, value in enumerate(CHANNELS)
        if orders[code]
    ]  # fmt: skip
    column = 3 if by == "revenue" else 4
    return sorted(found, key=lambda row: (-row[column], row[0]))


def buyers(copy: PaidOrders, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """How many customers bought in [start, end), and how many of them had not bought
    before ``start`` (their first purchase is in the period)."""
    customers = copy.customer[copy.within(start, end)]
    if not len(customers):
        return 0, 0
    size = int(customers.max()) + 1
    bought = np.bincount(customers, minlength=size) > 0
    earlier = copy.customer[copy.second < int(start.timestamp())]
    bought_before = np.bincount(earlier[earlier < size], minlength=size) > 0
    return int(bought.sum()), int((bought & ~bought_before).sum())


def sums_rows(sums: CustomerSums) -> Iterable[tuple[int, float, float, int]]:
    """The sums as rows for a temporary table (the breakdown by a customer's group)."""
    return zip(
        sums.customer.tolist(),
        sums.revenue.tolist(),
        sums.profit.tolist(),
        sums.orders.tolist(),
        strict=True,
    )
