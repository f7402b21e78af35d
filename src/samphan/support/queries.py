"""The support inbox: its views, their counts, and a customer's tickets."""

import datetime as dt

from django.db.models import Count, Q

from samphan.accounts.models import User
from samphan.support.models import Ticket, TicketQuerySet

# Open tickets are those in the queue (``Ticket.queue_due``), solved or closed ones those
# with a time solved: each view is read on one index, without a status filter.
OPEN = Q(queue_due__isnull=False)
SOLVED = Q(solved_at__isnull=False)


def view_filters(user: User, now: dt.datetime) -> dict[str, Q]:
    """Each view of the inbox as a condition, in the order of its tabs."""
    return {
        "mine": OPEN & Q(owner=user.pk),
        "unassigned": OPEN & Q(owner__isnull=True),
        "overdue": Q(queue_due__lt=now),
        "pending": Q(status=Ticket.Status.PENDING),
        "open": OPEN,
        "solved": SOLVED,
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
    # The soonest due first (none running: last); the latest solved first.
    order = ("-solved_at", "-id") if view == "solved" else ("queue_due", "-created_at", "-id")
    return (
        tickets.select_related("customer", "owner", "team", "category")
        .prefetch_related("tags")
        .order_by(*order)
    )


def view_counts(user: User, now: dt.datetime) -> dict[str, int]:
    """How many tickets each view holds: the open views in one pass over the queue's index,
    the solved ones counted on theirs; never a pass over every ticket ever handled."""
    conditions = view_filters(user, now)
    visible = Ticket.objects.visible_to(user)
    counts = visible.filter(OPEN).aggregate(
        **{name: Count("pk", filter=q) for name, q in conditions.items() if name != "solved"}
    )
    counts["solved"] = visible.filter(conditions["solved"]).count()
    return counts
