"""Writing the ledger: rows appended in one statement, and each member's balance moved by
their sum in one more (an upsert: a customer becomes a member with their first points).
The only writer of ``Member.points``; ``members_rebuild`` recomputes it from the rows."""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from samphan.core.bulk import insert_rows
from samphan.loyalty.models import Member, PointsEntry

COLUMNS = [
    "customer_id", "kind", "cause", "points", "order_id", "expires_on", "basis", "key",
    "note", "at", "created_by_id", "posted_at",
]  # fmt: skip
BALANCES_ADD = (
    "INSERT INTO loyalty_member (customer_id, points, updated_at) VALUES {rows} "
    "ON CONFLICT (customer_id) DO UPDATE SET points = loyalty_member.points + excluded.points, "
    "updated_at = excluded.updated_at"
)
ROWS_AT_ONCE = 300  # three parameters a row, well under SQLite's limit of 999 … 32,766


@dataclass(frozen=True)
class Posting:
    """A row to append: ``points`` signed (negative when spent, expired or taken back)."""

    customer_id: int
    kind: str
    cause: str
    points: int
    order_id: int | None = None
    expires_on: dt.date | None = None
    basis: dict[str, object] | None = None
    key: str | None = None
    note: str = ""
    at: dt.datetime | None = None
    created_by_id: int | None = None


def post(postings: Sequence[Posting]) -> None:
    """Append the rows and move the balances, in the caller's transaction."""
    postings = [p for p in postings if p.points]
    if not postings:
        return
    now = timezone.now()
    insert_rows(PointsEntry, COLUMNS, [_row(p, now) for p in postings])
    change: dict[int, int] = defaultdict(int)
    for p in postings:
        change[p.customer_id] += p.points
    balances_add(change)


def _row(p: Posting, now: dt.datetime) -> tuple[object, ...]:
    ops = connection.ops
    basis = None if p.basis is None else json.dumps(p.basis)
    at = ops.adapt_datetimefield_value(p.at or now)
    expires_on = ops.adapt_datefield_value(p.expires_on)
    posted = ops.adapt_datetimefield_value(now)
    return (p.customer_id, p.kind, p.cause, p.points, p.order_id, expires_on, basis, p.key,
            p.note, at, p.created_by_id, posted)  # fmt: skip


def balances_add(change: dict[int, int]) -> None:
    """Add ``change`` (customer id → points) to the members' balances, in customer order
    (two batches for the same customers lock their rows in the same order)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    items = sorted((pk, points) for pk, points in change.items() if points)
    with connection.cursor() as cursor:
        for start in range(0, len(items), ROWS_AT_ONCE):
            chunk = items[start : start + ROWS_AT_ONCE]
            rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                BALANCES_ADD.format(rows=rows), [v for pk, pts in chunk for v in (pk, pts, now)]
            )


def members_rebuild(customer_ids: Iterable[int] | None = None) -> int:
    """Set each member's balance to the sum of their rows (all members when no ids are
    given); returns how many balances were wrong. A merge moves rows between customers,
    and this is how a balance is proved or mended (``samphan loyalty-rebuild``)."""
    entries = PointsEntry.objects.order_by()
    members = Member.objects.all()
    if customer_ids is not None:
        ids = list(customer_ids)
        entries, members = entries.filter(customer_id__in=ids), members.filter(customer_id__in=ids)
    sums = dict(
        entries.values("customer_id")
        .annotate(total=Sum("points"))
        .values_list("customer_id", "total")
    )
    kept = dict(members.values_list("customer_id", "points"))
    change = {
        pk: (sums.get(pk) or 0) - kept.get(pk, 0)
        for pk in set(sums) | set(kept)
        if (sums.get(pk) or 0) != kept.get(pk, 0) or pk not in kept
    }
    balances_add(change)
    return sum(1 for points in change.values() if points)
