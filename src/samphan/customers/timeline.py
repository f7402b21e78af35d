"""A customer's timeline: their interactions, and entries other apps keep in tables of their
own, merged newest first.

A sale is its order: written a second time as an interaction it cost a row and two random
index pages an order, a quarter of the pages an order write touches. So the sales app
registers a source that reads orders as timeline entries, and the customers app, which
must not import sales, merges whatever sources are registered.

Pages use a keyset cursor over (time, source rank, id), so a page deep in a long history
costs the same as the first: each source reads at most one page more than asked from its
own index, and the merge keeps the newest.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Prefetch, Q, QuerySet

from samphan.accounts.models import User
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer, Interaction


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: entries strictly older than this come next."""

    at: dt.datetime
    rank: int
    id: int

    def __str__(self) -> str:
        micros = round((self.at - EPOCH) / dt.timedelta(microseconds=1))
        return f"{micros}.{self.rank}.{self.id}"

    @classmethod
    def parse(cls, value: str) -> "Cursor | None":
        """The cursor a page link carries; None for anything malformed (or too big)."""
        found = CURSOR_PATTERN.fullmatch(value)
        if not found:
            return None
        micros, rank, pk = (int(part) for part in found.groups())
        try:
            at = EPOCH + dt.timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(at, rank, pk)

    def older(self, rank: int, at: str = "occurred_at") -> Q:
        """Rows of the source of ``rank`` that sort after the cursor (time, rank, id,
        all descending): one range on the source's time index, and a tie-break."""
        if rank < self.rank:
            return Q(**{f"{at}__lte": self.at})
        if rank > self.rank:
            return Q(**{f"{at}__lt": self.at})
        return Q(**{f"{at}__lt": self.at}) | Q(**{at: self.at, "pk__lt": self.id})


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CURSOR_PATTERN = re.compile(r"(\d{1,18})\.(\d)\.(\d{1,18})", re.ASCII)


@dataclass(frozen=True)
class Entry:
    """One line of a timeline, whatever table it comes from."""

    source: str  # "interaction", "order" …
    rank: int  # the source's place among entries at the same moment
    id: int
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    summary: str
    body: str
    channel: str
    user: User | None  # the user who logged it or made the sale
    customer_id: int
    url: str = ""  # a page of its own (an order), if any
    customer: Customer | None = None  # set where entries of several customers are shown

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.occurred_at, self.rank, self.id)

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.occurred_at, self.rank, self.id)


class TimelineSource(Protocol):
    rank: int
    kinds: frozenset[str]  # the kinds of entry it gives

    def for_customer(
        self,
        user: User,
        customer: Customer,
        *,
        before: Cursor | None,
        q: str,
        kind: str,
        limit: int,
    ) -> list[Entry]:
        """Up to ``limit`` of the customer's entries older than ``before``, newest first."""
        ...

    def latest(self, user: User, count: int) -> list[Entry]:
        """The newest ``count`` entries of active customers the user may see, with their
        customer set, newest first."""
        ...


SOURCES: list[TimelineSource] = []


def timeline_source_register(source: TimelineSource) -> None:
    if all(source.rank != known.rank for known in SOURCES):
        SOURCES.append(source)


TIMELINE_PAGE = 50  # the API's default
# The customer page's: what a phone shows in a few screens, the rest a tap away ("Show
# older"); each entry costs the page about 0.1 ms of CPU to read and render (issue 22).
PAGE_ENTRIES = 20


def timeline_page(
    user: User,
    customer: Customer,
    *,
    before: Cursor | None = None,
    q: str = "",
    kind: str = "",
    size: int = TIMELINE_PAGE,
) -> tuple[list[Entry], Cursor | None]:
    """``size`` entries, newest first, older than ``before``; and the cursor for the next
    page, or None at the end. One query a source: each reads one entry more than the page,
    which says whether there are older entries."""
    found: list[Entry] = []
    for source in _sources():
        if not kind or kind in source.kinds:
            found += source.for_customer(
                user, customer, before=before, q=q.strip(), kind=kind, limit=size + 1
            )
    page = _newest(found, size + 1)
    older = page[size - 1].cursor if len(page) > size else None
    return page[:size], older


def latest_activity(user: User, count: int = 10) -> list[Entry]:
    """The newest timeline entries of active customers the user may see."""
    found: list[Entry] = []
    for source in _sources():
        found += source.latest(user, count)
    return _newest(found, count)


# The rows read beyond the ``count`` shown, for archived customers' among the newest
# (each source's newest 50 were read to show 10 in all: 200 rows built a dashboard).
ARCHIVED_MARGIN = 5
# What the feed shows of each entry's customer (templates/_home_overview.html), and what
# picks the active ones: the customers' other columns are not read.
FEED_CUSTOMER_FIELDS = ("id", "display_name", "archived_at")


def newest_of_active_customers(rows: QuerySet[Any], user: User, count: int) -> list[Any]:
    """The first ``count`` of ``rows`` (newest first, visible to the user) whose customer
    is not archived, each with its customer.

    Seeing every record: the newest rows read straight off the date index, their customers
    fetched after by id (prefetch, not a join), archived customers' skipped in Python (they
    are few). A filter on the customer, or even the join of ``select_related``, let SQLite
    start from the customers and sort every row (docs/performance.md). A few rows more
    than ``count`` are read for the archived ones: more than that many archived among the
    newest, and the filtered query answers instead (the same rows: it only costs more)."""
    if sees_all_records(user):
        read = count + ARCHIVED_MARGIN
        customers = Prefetch("customer", Customer.objects.only(*FEED_CUSTOMER_FIELDS))
        newest = list(rows.prefetch_related(customers)[:read])
        active = [row for row in newest if row.customer.archived_at is None]
        if len(active) >= count or len(newest) < read:
            return active[:count]
    active_rows = rows.filter(customer__archived_at__isnull=True).select_related("customer")
    return list(active_rows[:count])


def _newest(entries: Iterable[Entry], count: int) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)[:count]


class Interactions:
    """The entries logged on the customers app's own timeline (calls, notes, visits …)."""

    rank = 0
    kinds = frozenset(Interaction.Kind.values)

    def for_customer(
        self,
        user: User,
        customer: Customer,
        *,
        before: Cursor | None,
        q: str,
        kind: str,
        limit: int,
    ) -> list[Entry]:
        interactions = interactions_of(customer, q=q, kind=kind).only(*ENTRY_FIELDS)
        if before is not None:
            interactions = interactions.filter(before.older(self.rank))
        return [self.entry(item) for item in interactions[:limit]]

    def latest(self, user: User, count: int) -> list[Entry]:
        entries = Interaction.objects.prefetch_related("user").order_by("-occurred_at", "-id")
        if not sees_all_records(user):
            entries = entries.filter(customer__in=Customer.objects.visible_to(user))
        found = newest_of_active_customers(entries, user, count)
        return [self.entry(item, with_customer=True) for item in found]

    def entry(self, item: Interaction, *, with_customer: bool = False) -> Entry:
        return Entry(
            source="interaction",
            rank=self.rank,
            id=item.pk,
            kind=item.kind,
            kind_label=str(KIND_LABELS.get(item.kind, item.kind)),
            occurred_at=item.occurred_at,
            summary=item.summary,
            body=item.body,
            channel=item.channel,
            user=item.user,
            customer_id=item.customer_id,
            customer=item.customer if with_customer else None,
        )


# An entry reads only these of an interaction, and of its user the name a page shows
# (a whole user row, password hash and all, was built for every entry).
USER_NAME = ("first_name", "last_name", "username")
ENTRY_FIELDS = (
    "id", "customer", "kind", "occurred_at", "summary", "body", "channel", "user",
    *(f"user__{name}" for name in USER_NAME),
)  # fmt: skip
# The kinds' labels (lazy, so each is read in the language of the request), looked up
# directly: ``get_kind_display`` rebuilds its dict of the choices at every call.
KIND_LABELS = dict(Interaction.Kind.choices)


def interactions_of(customer: Customer, *, q: str = "", kind: str = "") -> QuerySet[Interaction]:
    """The customer's logged interactions, newest first; ``q`` finds text in the summary or
    body. A plain ``icontains`` is enough: it reads one customer's entries, found through
    the (customer, occurred_at) index, never the whole table."""
    interactions = customer.interactions.select_related("user")
    if kind:
        interactions = interactions.filter(kind=kind)
    if q.strip():
        interactions = interactions.filter(
            Q(summary__icontains=q.strip()) | Q(body__icontains=q.strip())
        )
    return interactions.order_by("-occurred_at", "-id")


def _sources() -> list[TimelineSource]:
    return [INTERACTIONS, *SOURCES]


INTERACTIONS = Interactions()
