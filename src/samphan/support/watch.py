"""The worker's watch on service promises, every minute: a promise due within ``WARN_BEFORE``
warns the ticket's assignee; a promise missed is recorded (``SlaEvent``), told to the
assignee and escalated to the managers (the team's, else all). Each once per due time: a
promise paused and running again with a new due time may warn and breach again."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samphan.accounts.models import Role, User
from samphan.core.notifications import notify
from samphan.support.models import SlaEvent, Ticket

WARN_BEFORE = dt.timedelta(minutes=30)
BATCH = 500  # tickets a round; the rest wait for the next minute
DUE_FIELDS = {
    SlaEvent.Promise.FIRST_RESPONSE: "first_response_due",
    SlaEvent.Promise.NEXT_RESPONSE: "next_response_due",
    SlaEvent.Promise.RESOLUTION: "resolution_due",
}


# Each promise while it runs: its due time's field, and what says it is not yet met.
RUNNING: dict[str, Q] = {
    SlaEvent.Promise.FIRST_RESPONSE: Q(first_responded_at__isnull=True),
    SlaEvent.Promise.NEXT_RESPONSE: Q(),
    SlaEvent.Promise.RESOLUTION: Q(solved_at__isnull=True),
}


def _unrecorded(promise: str, kind: str, due: str) -> Q:
    recorded = SlaEvent.objects.filter(
        ticket=OuterRef("pk"), kind=kind, promise=promise, due_at=OuterRef(due)
    )
    return RUNNING[promise] & Q(~Exists(recorded))


def _to_tell(now: dt.datetime) -> Q:
    """Tickets with a promise due within ``WARN_BEFORE`` not yet warned of, or missed and
    not yet recorded. Those already told are left out, so that a desk with more overdue
    tickets than a round takes still hears of the next one."""
    horizon = now + WARN_BEFORE
    found = Q()
    for promise, due in DUE_FIELDS.items():
        missed = Q(**{f"{due}__lte": now}) & _unrecorded(promise, SlaEvent.Kind.BREACH, due)
        near = Q(**{f"{due}__gt": now, f"{due}__lte": horizon}) & _unrecorded(
            promise, SlaEvent.Kind.WARNING, due
        )
        found |= missed | near
    # The queue's index finds them: a ticket waiting on the customer has its clock stopped
    # and no promise running, so it is not there (a status filter would have SQLite read
    # every open ticket instead).
    return Q(queue_due__lte=horizon) & found


def sla_round(now: dt.datetime | None = None) -> int:
    """One look; how many warnings and breaches were recorded."""
    now = now or timezone.now()
    tickets = list(
        Ticket.objects.filter(_to_tell(now))
        .select_related("owner", "team")
        .order_by("queue_due", "id")[:BATCH]
    )
    seen = set(
        SlaEvent.objects.filter(ticket__in=tickets).values_list(
            "ticket_id", "kind", "promise", "due_at"
        )
    )
    made = 0
    for ticket in tickets:
        for promise, due in ticket.promises_running().items():
            kind = SlaEvent.Kind.BREACH if due <= now else SlaEvent.Kind.WARNING
            if due > now + WARN_BEFORE or (ticket.pk, kind, promise, due) in seen:
                continue
            if _record(ticket, kind, promise, due, now):
                made += 1
    return made


def _record(ticket: Ticket, kind: str, promise: str, due: dt.datetime, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            SlaEvent.objects.create(ticket=ticket, kind=kind, promise=promise, due_at=due, at=now)
            _tell(ticket, kind, promise, due, now)
    except IntegrityError:  # another worker recorded it first
        return False
    return True


def _tell(ticket: Ticket, kind: str, promise: str, due: dt.datetime, now: dt.datetime) -> None:
    url = reverse("ticket_detail", args=[ticket.pk])
    people = [ticket.owner] if ticket.owner else []
    if kind == SlaEvent.Kind.BREACH:
        people += managers_of(ticket)
    for person in dict.fromkeys(people):  # once each, the assignee first
        with translation.override(person.language or "th"):
            what = SlaEvent.Promise(promise).label
            if kind == SlaEvent.Kind.WARNING:
                minutes = max(1, round((due - now).total_seconds() / 60))
                text = _("%(number)s: %(promise)s due in %(minutes)s minutes (%(subject)s)")
            else:
                minutes = 0
                text = _("%(number)s: %(promise)s missed, it was due %(due)s (%(subject)s)")
            values = {
                "number": ticket.number, "promise": what, "minutes": minutes,
                "due": timezone.localtime(due).strftime("%H:%M"), "subject": ticket.subject,
            }  # fmt: skip
            notify(user=person, text=text % values, url=url)


def managers_of(ticket: Ticket) -> list[User]:
    """Whom a missed promise goes to: the managers of the ticket's team, else every
    manager, else the administrators."""
    active = User.objects.filter(is_active=True).order_by("id")
    managers = active.filter(groups__name=Role.MANAGER)
    if ticket.team_id is not None and (mine := list(managers.filter(team=ticket.team_id))):
        return mine
    return list(managers) or list(active.filter(groups__name=Role.ADMIN))
