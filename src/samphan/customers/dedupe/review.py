"""The duplicate review queue (issue 21): the finder's open pairs a reviewer may see, each
with both customers in short and the reasons in the reader's language.

Who reviews: who may merge (``customers.archive_customer``, the "manage customers"
capability). A pair is shown only when both customers are current (not archived, so a
merged one drops out, and comes back if the merge is undone) and visible to the reviewer
(``visible_to``): a reviewer limited to own and team records never learns of a customer
out of their sight, and a pair with one answers 404 as if it did not exist.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.dates import format_date
from samphan.core.permissions import require_perm, sees_all_records
from samphan.core.phones import format_phone
from samphan.customers.dedupe.finder import REASON_LABELS
from samphan.customers.dedupe.scoring import phone_key
from samphan.customers.facts import order_facts
from samphan.customers.models import ContactPoint, Customer, DuplicateCandidate

PERM = "customers.archive_customer"  # as the merge page (merge_views.PERM)
NAME_CODES = ("name_same", "name_sound", "name_look")
# The reason filter: a few plain choices, each one or more of the finder's codes.
REASON_FILTERS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "phone_near"),
    "email": ("email", "email_near"),
    "line": ("line",),
    "name": NAME_CODES,
    "birthday": ("birthday",),
    "company": ("company",),
    "address": ("address",),
}
SORTS: dict[str, tuple[str, ...]] = {
    "score": ("-score", "id"),
    "newest": ("-found_at", "-id"),
    "oldest": ("found_at", "id"),
}
DEFAULT_SORT = "score"
SHOWN_KINDS = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL, ContactPoint.Kind.LINE)


def reason_filter_choices() -> list[tuple[str, str]]:
    return [
        ("phone", _("Same phone")),
        ("email", _("Same e-mail")),
        ("line", _("Same LINE ID")),
        ("name", _("Similar name")),
        ("birthday", _("Same birthday")),
        ("company", _("Same company")),
        ("address", _("Same address")),
    ]


def reviewer_check(user: User | AnonymousUser) -> None:
    """403 unless the user may merge customers."""
    require_perm(user, PERM)


def _visible_pairs(user: User | AnonymousUser) -> QuerySet[DuplicateCandidate]:
    pairs = DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.OPEN,
        customer_a__archived_at__isnull=True,
        customer_b__archived_at__isnull=True,
    )
    if not sees_all_records(user):
        visible = Customer.objects.visible_to(user).values("pk")
        pairs = pairs.filter(customer_a__in=visible, customer_b__in=visible)
    return pairs


def review_queue(
    user: User | AnonymousUser, *, reason: str = "", sort: str = DEFAULT_SORT
) -> QuerySet[DuplicateCandidate]:
    """The open pairs ``user`` may review, filtered by a ``REASON_FILTERS`` key, sorted by
    a ``SORTS`` key; both customers fetched with the pair."""
    pairs = _visible_pairs(user)
    if reason in REASON_FILTERS:
        # The codes are a JSON list; a quoted code matches one whole code on both databases.
        matches = Q()
        for code in REASON_FILTERS[reason]:
            matches |= Q(reasons__icontains=f'"{code}"')
        pairs = pairs.filter(matches)
    return pairs.select_related("customer_a", "customer_b").order_by(
        *SORTS.get(sort, SORTS[DEFAULT_SORT])
    )


# ``_visible_pairs(user).count()`` for who sees every customer, as one fixed statement:
# the badge is on every page of the customer list, and the ORM spent more CPU building this
# count than the database running it (docs/performance.md).
OPEN_PAIRS_COUNT = (
    "SELECT COUNT(*) FROM {pairs} pair "
    "JOIN {customers} a ON a.id = pair.customer_a_id AND a.archived_at IS NULL "
    "JOIN {customers} b ON b.id = pair.customer_b_id AND b.archived_at IS NULL "
    "WHERE pair.status = %s"
)


def review_count(user: User | AnonymousUser) -> int:
    """How many pairs wait for ``user`` (the badge beside the customer list's title)."""
    if not sees_all_records(user):
        return _visible_pairs(user).count()
    statement = OPEN_PAIRS_COUNT.format(
        pairs=DuplicateCandidate._meta.db_table, customers=Customer._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [DuplicateCandidate.Status.OPEN.value])
        (count,) = cursor.fetchone()
    return int(count)


def candidate_for_reviewer(
    user: User | AnonymousUser, pk: int, *, for_update: bool = False
) -> DuplicateCandidate:
    """The open pair ``pk`` if ``user`` may review it (403 without the permission), else
    404: a pair decided already, or with a customer archived or out of sight."""
    reviewer_check(user)
    pairs = _visible_pairs(user)
    if for_update:
        pairs = pairs.select_for_update(of=("self",))
    candidate = pairs.filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate


@dataclass
class Side:
    """One customer of a pair, in short."""

    customer: Customer
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    order_count: int = 0
    last_purchase_at: dt.datetime | None = None


@dataclass
class ReviewRow:
    candidate: DuplicateCandidate
    a: Side
    b: Side
    reasons: list[str]

    @property
    def survivor(self) -> Customer:
        """Who stays by default: who has more orders, else the older record."""
        a, b = self.a, self.b
        if a.order_count != b.order_count:
            return (a if a.order_count > b.order_count else b).customer
        return min(a.customer, b.customer, key=lambda c: (c.created_at, c.pk))

    @property
    def other(self) -> Customer:
        survivor = self.survivor
        return self.b.customer if survivor == self.a.customer else self.a.customer

    @property
    def percent(self) -> int:
        return round(self.candidate.score * 100)


def _reason_text(code: str, a: Side, b: Side) -> str:
    """A code as a reader's sentence, with what the two share or how their names read."""
    label = str(REASON_LABELS.get(code, code))
    if code == "phone":
        keyed = {phone_key(value): value for value in b.phones}
        shared = next((value for value in a.phones if phone_key(value) in keyed), "")
        return f"{label}: {format_phone(shared)}" if shared else label
    if code == "email":
        emails = {value.strip().lower() for value in b.emails}
        shared = next((value for value in a.emails if value.strip().lower() in emails), "")
        return f"{label}: {shared}" if shared else label
    if code in NAME_CODES:
        return f"{label}: {a.customer.display_name} / {b.customer.display_name}"
    if code == "birthday" and a.customer.birthday:
        return f"{label}: {format_date(a.customer.birthday)}"
    return label


def review_rows(candidates: Sequence[DuplicateCandidate]) -> list[ReviewRow]:
    """The page's pairs ready to show: two more queries whatever their number (contact
    points, then orders from the app that keeps them)."""
    ids = {c.customer_a_id for c in candidates} | {c.customer_b_id for c in candidates}
    contacts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    points = ContactPoint.objects.filter(customer_id__in=ids, kind__in=SHOWN_KINDS)
    for customer_id, kind, value in points.values_list("customer_id", "kind", "value"):
        contacts[customer_id][kind].append(value)
    facts = order_facts(ids)

    def side(customer: Customer) -> Side:
        mine = contacts[customer.pk]
        fact = facts.get(customer.pk)
        return Side(
            customer=customer,
            phones=[v for kind in ContactPoint.PHONE_KINDS for v in mine.get(kind, [])],
            emails=mine.get(ContactPoint.Kind.EMAIL, []),
            lines=mine.get(ContactPoint.Kind.LINE, []),
            order_count=fact.order_count if fact else 0,
            last_purchase_at=fact.last_purchase_at if fact else None,
        )

    rows = []
    for candidate in candidates:
        a, b = side(candidate.customer_a), side(candidate.customer_b)
        reasons = [_reason_text(code, a, b) for code in candidate.reasons]
        rows.append(ReviewRow(candidate, a, b, reasons or [_("similar record")]))
    return rows


def last_found() -> dt.datetime | None:
    """When the finder last found a pair (any status): the empty queue says so."""
    latest = DuplicateCandidate.objects.order_by("-found_at").values_list("found_at", flat=True)
    return latest.first()
