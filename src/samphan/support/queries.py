"""The support inbox: its views, their counts, and a customer's tickets."""

import datetime as dt

from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, Least

from samphan.accounts.models import User
from samphan.support.models import Ticket, TicketQuerySet

OPEN = Q(status__in=Ticket.OPEN_STATUSES)
# Ticket.soonest_due in SQL: the earliest promise not yet met (a far date when none runs;
# SQLite's MIN() and PostgreSQL's LEAST() treat NULL differently, so no NULL reaches them).
NEVER = Value(dt.datetime(9999, 1, 1, tzinfo=dt.UTC))
SOONEST_DUE = Least(
    Coalesce(Case(When(first_responded_at__isnull=True, then=F("first_response_due"))), NEVER),
    Coalesce(F("next_response_due"), NEVER),
    Coalesce(Case(When(solved_at__isnull=True, then=F("resolution_due"))), NEVER),
)


# A promise not met by now: the first response, the next response, the resolution.
def _late(now: dt.datetime) -> Q:
    return OPEN & (
        Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(next_response_due__lt=now)
        | Q(solved_at__isnull=True, resolution_due__lt=now)
    )


def view_filters(user: User, now: dt.datetime) -> dict[str, Q]:
    """Each view of the inbox as a condition, in the order of its tabs."""
    return {
        "mine": OPEN & Q(owner=user.pk),
        "unassigned": OPEN & Q(owner__isnull=True),
        "overdue": _late(now),
        "pending": Q(status=Ticket.Status.PENDING),
        "open": OPEN,
        "solved": Q(status__in=(Ticket.Status.SOLVED, Ticket.Status.CLOSED)),
    }


def inbox(
    user: User, view: str, q: str, now: dt.datetime, tag: int | None = None
) -> TicketQuerySet:
    """The tickets of ``view`` this user may see (with ``tag``), the soonest due first."""
    tickets = Ticket.objects.visible_to(user).filter(view_filters(user, now)[view])
    if tag is not None:
        tickets = tickets.filter(tags=tag)
    q = q.strip()
    if q.lstrip("#").isdigit() and len(q) < 19:
        tickets = tickets.filter(pk=int(q.lstrip("#")))
    elif q:
        tickets = tickets.filter(
            Q(subject__icontains=q)
            | Q(customer__display_name__icontains=q)
            | Q(requester__icontains=q)
        )
    # Open tickets the soonest due first; solved ones the latest solved first (no promise
    # runs, and the order needs no expression over every solved ticket).
    order = ("-solved_at", "-id") if view == "solved" else (SOONEST_DUE, "-created_at", "-id")
    return (
        tickets.select_related("customer", "owner", "team", "category")
        .prefetch_related("tags")
        .order_by(*order)
    )


def view_counts(user: User, now: dt.datetime) -> dict[str, int]:
    """How many tickets each view holds: the open views in one pass over the open tickets
    (the status index finds them), the solved ones counted on the index alone; never a
    pass over every ticket ever handled."""
    conditions = view_filters(user, now)
    visible = Ticket.objects.visible_to(user)
    counts = visible.filter(OPEN).aggregate(
        **{name: Count("pk", filter=q) for name, q in conditions.items() if name != "solved"}
    )
    counts["solved"] = visible.filter(conditions["solved"]).count()
    return counts
