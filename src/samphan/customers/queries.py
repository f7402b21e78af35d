"""Reads of customers, shaped for the pages and the API (no query from templates)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.paginator import Page
from django.db import connection
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects

from samphan.accounts.models import User
from samphan.core import sql
from samphan.core.history import HistoryLine, history_lines
from samphan.core.models import AuditEvent
from samphan.core.pagination import COUNT_CAP, CappedPaginator, WindowPaginator
from samphan.core.search import matching_ids, matching_page
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomerQuerySet,
    Interest,
    Tag,
)

SORTS = {
    "name": ("display_name", "id"),
    "-name": ("-display_name", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "name"
# A search for a common fragment ("ชาย") matches thousands of rows; sorting them all is
# wasted work when people refine the search instead of paging. The list sorts at most
# this many matches and says there are more.
SEARCH_CANDIDATES = 1_000


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    kind: str = ""
    stage: str = ""
    tier: str = ""
    vip: bool | None = None
    tag: int | None = None
    owner: int | None = None
    team: int | None = None
    industry: str = ""
    archived: bool = False
    duplicates: bool = False  # flagged for review (``Customer.duplicate_review``)
    sort: str = DEFAULT_SORT


def count_cap(filters: CustomerFilters) -> int:
    """How far a list is counted: a search holds at most SEARCH_CANDIDATES rows."""
    return SEARCH_CANDIDATES if filters.q.strip() else COUNT_CAP


def customer_export(user: User, filters: CustomerFilters) -> CustomerQuerySet:
    """What the list's "Export" downloads: the customers the list shows with ``filters``
    (a search's first SEARCH_CANDIDATES matches, as on the page), in its order, without
    those whose processing is restricted (PDPA ss.32, 34), as a segment's export."""
    customers = _filtered(user, filters)
    if filters.q.strip():
        ids = matching_ids(customers, filters.q, limit=SEARCH_CANDIDATES)
        customers = Customer.objects.filter(pk__in=sql.among_ids(ids))
    ordering = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return customers.processing_allowed().order_by(*ordering)


def _filtered(user: User, filters: CustomerFilters) -> CustomerQuerySet:
    customers = Customer.objects.visible_to(user)
    customers = customers.filter(archived_at__isnull=not filters.archived)
    exact = {
        "kind": filters.kind,
        "stage": filters.stage,
        "tier": filters.tier,
        "industry": filters.industry,
        "tags": filters.tag,
        "owner_id": filters.owner,
        "team_id": filters.team,
    }
    customers = customers.filter(**{name: value for name, value in exact.items() if value})
    if filters.vip is not None:
        customers = customers.filter(is_vip=filters.vip)
    if filters.duplicates:
        customers = customers.filter(duplicate_review=True)
    return customers


def customer_list(user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """Visible customers matching ``filters``, ready for a list of rows."""
    customers: QuerySet[Customer] = _filtered(user, filters)
    ordering = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    if filters.q.strip():
        # One more than the cap, so the paginator can tell there are more; fetched once
        # here, so counting and paging do not run the search again.
        ids = matching_ids(customers, filters.q, limit=SEARCH_CANDIDATES + 1)
        # The ids as one array parameter: PostgreSQL then reads the matches by id and sorts
        # those few (given an IN list of a thousand ids, it walked the whole name index
        # testing each row against the list; docs/performance.md).
        customers = Customer.objects.filter(pk__in=sql.among_ids(ids))
    preferred = ContactPoint.objects.filter(is_preferred=True)
    return (
        customers.select_related("owner", "company")
        .prefetch_related(Prefetch("contact_points", queryset=preferred, to_attr="preferred"))
        .order_by(*ordering)
    )


# What a row of the list page shows, for the page's ids (one parameter, core.sql.id_rows):
# the customer, its company's name and its preferred contact point (at most one: a
# constraint). Read as values, not models: building 25 customers and their companies
# through the ORM cost ten times the statement (docs/performance.md).
LIST_ROWS = (
    "SELECT c.id, c.kind, c.display_name, c.nickname, c.first_name_en, c.last_name_en, "
    "c.company_name_en, c.job_title, c.industry, c.is_vip, c.tier, c.stage, c.photo, "
    "c.photo_thumbnail, company.display_name, point.kind, point.value "
    "FROM {customers} c LEFT JOIN {customers} company ON company.id = c.company_id "
    "LEFT JOIN {points} point ON point.customer_id = c.id AND point.is_preferred "
    "WHERE c.id IN ({ids})"
)


class RowValues(NamedTuple):
    id: int
    kind: str
    display_name: str
    nickname: str
    first_name_en: str
    last_name_en: str
    company_name_en: str
    job_title: str
    industry: str
    is_vip: bool
    tier: str
    stage: str
    photo: str
    photo_thumbnail: str | None
    company_name: str | None
    preferred_kind: str | None
    preferred_value: str | None


def list_row_values(ids: list[int]) -> list[RowValues]:
    """``LIST_ROWS`` for ``ids`` (already visible to the reader: a page of
    ``customer_page``), in the order of ``ids``."""
    if not ids:
        return []
    statement = LIST_ROWS.format(
        customers=Customer._meta.db_table, points=ContactPoint._meta.db_table, ids=sql.id_rows()
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [sql.id_rows_param(ids)])
        rows = {row[0]: RowValues(*row) for row in cursor.fetchall()}
    return [rows[pk] for pk in ids if pk in rows]


def customer_page(user: User, filters: CustomerFilters, number: str | None) -> Page[int]:
    """Page ``number`` of the ids of ``customer_list(user, filters)``, in its order (the
    rows to show: ``list_row_values``).

    A search sorts its matches on the sort's columns alone, with the count, in the search's
    statement (``core.search.matching_page``): joining and reading every match (up to
    SEARCH_CANDIDATES) before the sort cost PostgreSQL three times the search itself
    (docs/performance.md).
    """
    per_page = settings.SAMPHAN_PAGE_SIZE
    customers = _filtered(user, filters)
    ordering = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    if not filters.q.strip():
        ids = customers.order_by(*ordering).values_list("pk", flat=True)
        return CappedPaginator(ids, per_page, cap=COUNT_CAP).get_page(number)

    def window(offset: int, size: int) -> tuple[list[int], int | None]:
        return matching_page(
            customers,
            filters.q,
            limit=SEARCH_CANDIDATES + 1,
            ordering=ordering,
            offset=offset,
            size=size,
        )

    return WindowPaginator(window, per_page, cap=SEARCH_CANDIDATES).get_page(number)


def customer_for_page() -> CustomerQuerySet:
    """Customers with everything the 360 page shows, for ``access.customer_for_user``'s
    ``queryset``."""
    return Customer.objects.select_related(
        "owner", "team", "company", "referred_by", "created_by"
    ).prefetch_related(
        "contact_points",
        "tags",
        "interests",
        Prefetch("people", queryset=_people()),
    )


def customer_for_detail() -> CustomerQuerySet:
    """Customers as the 360 page reads them (``customer_detail_related`` adds the rest):
    the owner and team joined; of the company and the referrer only the name the page
    shows (``company_display``, ``referrer_display``), not two more customer rows of
    forty columns each to build (issue 22: half the fetch's CPU)."""
    return Customer.objects.select_related("owner", "team").annotate(
        company_display=F("company__display_name"),
        referrer_display=F("referred_by__display_name"),
    )


# A customer's tags and interests in one statement (two prefetches cost two compiled
# queries), each list in name order as the models' Meta.ordering; and the ids of the
# merges into the customer still open to undo, so that the page reads those records only
# when there are some (most customers have none).
LABELS_SQL = """
SELECT 't', t.id, t.name FROM customers_tag t
  JOIN customers_customer_tags ct ON ct.tag_id = t.id WHERE ct.customer_id = %s
UNION ALL
SELECT 'i', i.id, i.name FROM customers_interest i
  JOIN customers_customer_interests ci ON ci.interest_id = i.id WHERE ci.customer_id = %s
UNION ALL
SELECT 'm', m.id, '' FROM customers_mergerecord m
  WHERE m.survivor_id = %s AND m.undone_at IS NULL AND m.created_at >= %s
ORDER BY 1, 3, 2
"""


@dataclass(frozen=True)
class DetailRelated:
    tags: list[Tag]
    interests: list[Interest]
    merges_open: bool  # merges into the customer that may still be undone


def customer_detail_related(customer: Customer, merges_since: dt.datetime) -> DetailRelated:
    """What the 360 page shows beside the customer's row: the contact points (prefetched
    on ``customer``), a company's active people with their preferred contact points; the
    tags and interests, and whether merges since ``merges_since`` are open to undo."""
    lookups: list[str | Prefetch[Any]] = ["contact_points"]
    if customer.is_company:
        lookups.append(Prefetch("people", queryset=_people()))
    prefetch_related_objects([customer], *lookups)
    found: dict[str, list[Any]] = {"t": [], "i": [], "m": []}
    since = connection.ops.adapt_datetimefield_value(merges_since)  # as the ORM stores it
    with connection.cursor() as cursor:
        cursor.execute(LABELS_SQL, [customer.pk, customer.pk, customer.pk, since])
        for which, pk, name in cursor.fetchall():
            found[which].append((pk, name))
    return DetailRelated(
        tags=[Tag(pk=pk, name=name) for pk, name in found["t"]],
        interests=[Interest(pk=pk, name=name) for pk, name in found["i"]],
        merges_open=bool(found["m"]),
    )


def _people() -> CustomerQuerySet:
    return Customer.objects.active().prefetch_related(
        Prefetch(
            "contact_points",
            queryset=ContactPoint.objects.filter(is_preferred=True),
            to_attr="preferred",
        )
    )


def photo_visible_to(user: User, name: str) -> bool:
    """Whether ``name`` is the photo of a customer this user may see: one indexed query."""
    if not user.has_perm("customers.view_customer"):
        return False
    visible = Customer.objects.visible_to(user)
    return visible.filter(photo=name).exists() or visible.filter(photo_thumbnail=name).exists()


def colleagues_of(customer: Customer) -> QuerySet[Customer]:
    if not customer.company_id:
        return Customer.objects.none()
    return Customer.objects.active().filter(company_id=customer.company_id).exclude(pk=customer.pk)


def consent_in_force(customer: Customer) -> dict[tuple[str, str], ConsentRecord]:
    """The latest consent record per (channel, purpose): the one in force."""
    latest: dict[tuple[str, str], ConsentRecord] = {}
    for record in customer.consents.order_by("-at", "-id"):
        latest.setdefault((record.channel, record.purpose), record)
    return latest


HISTORY_ACTOR = ("actor__first_name", "actor__last_name", "actor__username")


def audit_history(user: User, customer: Customer, limit: int = 5) -> list[HistoryLine]:
    """The latest changes to this customer's data, for those allowed to read the audit log,
    named for the reader (fields, choices, related records, dates). The page shows a few and
    links to the audit log for the rest: fifteen lines were a fifth of its time (issue 22)."""
    if not user.has_perm("core.view_auditevent"):
        return []
    # Only what a line shows, and of the actor the name (issue 22: not whole user rows).
    events = (
        AuditEvent.objects.filter(customer_id=customer.pk)
        .select_related("actor")
        .only("at", "action", "subject_type", "changes", "actor", *HISTORY_ACTOR)
    )
    return history_lines(events[:limit])


def customer_counts(user: User) -> dict[str, int]:
    """The active people, companies and VIPs this user sees (the home page's counts)."""
    visible = Customer.objects.visible_to(user).active()
    return {
        "people": visible.people().count(),
        "companies": visible.companies().count(),
        "vip": visible.filter(is_vip=True).count(),
    }
