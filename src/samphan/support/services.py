"""Every write to a ticket: opened, answered, noted, moved between statuses, assigned. Each
runs in one transaction, keeps the SLA clock (``sla.py``) and writes the audit log."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import Team, User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.support import assignment, replies, sla
from samphan.support.attachments import Incoming, attachments_save
from samphan.support.models import Category, Ticket, TicketMessage, TicketViewer

TICKET_FIELDS = (
    "customer", "subject", "channel", "status", "priority", "category", "owner", "team",
)  # fmt: skip
# A customer's reply within this many days reopens a solved ticket; later, it opens a new one.
REOPEN_DAYS = 7
# Another member of staff whose page looked this recently still has the ticket open (the
# page looks every 20 seconds).
VIEWING_SECONDS = 45


def _audit(actor: User | None, ticket: Ticket, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, subject=ticket, customer_id=ticket.customer_id, changes=changes
    )


@transaction.atomic
def ticket_open(
    *,
    actor: User | None,
    subject: str,
    body: str,
    channel: str,
    customer: Customer | None = None,
    requester: str = "",
    address: str = "",
    priority: str = "",
    category: Category | None = None,
    team: Team | None = None,
    owner: User | None = None,
    external_id: str = "",
    files: list[Incoming] | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """A ticket with its first message from the customer (what they asked, as told).
    ``address``: where they wrote from on ``channel``; replies go there, and the one
    customer with it is the ticket's when none is given."""
    now = now or timezone.now()
    address = address.strip()
    if customer is None and address:
        customer = replies.customer_with(channel, address)
    if customer is None and not (requester.strip() or address):
        raise ValidationError({"customer": _("Choose the customer, or say who it is from.")})
    if not (body or "").strip():
        raise ValidationError({"body": _("Write what the customer asked.")})
    team = team or (owner.team if owner else None)
    if owner is None:
        owner = assignment.assignee_for(team.pk if team else None)
    ticket = Ticket(
        customer=customer,
        requester=requester.strip()[:200] or address[:200],
        address=address,
        subject=(subject or "").strip(),
        channel=channel,
        priority=priority or Ticket._meta.get_field("priority").default,
        category=category,
        team=team,
        owner=owner,
        status=Ticket.Status.OPEN if owner else Ticket.Status.NEW,
        last_message_at=now,
        created_at=now,
    )
    ticket.full_clean(exclude=["customer", "owner", "team", "category"])
    sla.start(ticket, now)
    ticket.save()
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=TicketMessage.Kind.IN,
        body=body.strip(),
        channel=channel,
        external_id=external_id,
        created_at=now,
    )
    attachments_save(message, files or [])
    _audit(actor, ticket, AuditEvent.Action.CREATE, diff({}, snapshot(ticket, TICKET_FIELDS)))
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    # Only the ticket is locked: its customer may be none (an outer join PostgreSQL refuses).
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=ticket.pk)
    )


def _message(
    ticket: Ticket,
    kind: str,
    body: str,
    author: User | None,
    at: dt.datetime | None = None,
    channel: str = "",
    external_id: str = "",
) -> TicketMessage:
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the message.")})
    return TicketMessage.objects.create(
        ticket=ticket,
        kind=kind,
        body=body.strip(),
        channel=channel or ticket.channel,
        author=author,
        external_id=external_id,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    status: str = "",
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A reply to the customer, sent through the outbox (``replies``); a sender nobody
    knew becomes a customer. It meets the response promises; the ticket then waits on the
    customer unless another status is chosen ("open" to keep it, "solved")."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    before = snapshot(ticket, TICKET_FIELDS)
    message = _message(ticket, TicketMessage.Kind.OUT, body, actor, now)
    if ticket.customer is None and ticket.address:
        ticket.customer = replies.customer_from_sender(actor, ticket)
    replies.reply_send(actor, ticket, message)
    sla.staff_replied(ticket, now)
    if ticket.owner_id is None:
        ticket.owner = actor  # who answers an unassigned ticket takes it
        ticket.team_id = ticket.team_id or actor.team_id
    ticket.last_message_at = now
    _move(ticket, status or Ticket.Status.PENDING, now)
    ticket.save()
    _audit(actor, ticket, AuditEvent.Action.UPDATE, diff(before, snapshot(ticket, TICKET_FIELDS)))
    return message


@transaction.atomic
def ticket_note(*, actor: User, ticket: Ticket, body: str) -> TicketMessage:
    """A note for staff only: the customer never sees it, and the clock does not change."""
    ticket = _locked(ticket)
    message = _message(ticket, TicketMessage.Kind.NOTE, body, actor)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return message


@transaction.atomic
def ticket_customer_wrote(
    *,
    ticket: Ticket,
    body: str,
    channel: str = "",
    external_id: str = "",
    files: list[Incoming] | None = None,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A message from the customer on an existing ticket: it runs the clock again and
    reopens a ticket solved within ``REOPEN_DAYS``."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if not reopens(ticket, now):
        raise ValidationError({"ticket": _("This ticket is closed: open a new one.")})
    before = snapshot(ticket, TICKET_FIELDS)
    message = _message(ticket, TicketMessage.Kind.IN, body, None, now, channel, external_id)
    attachments_save(message, files or [])
    if ticket.status == Ticket.Status.SOLVED:
        ticket.solved_at = None
    ticket.status = Ticket.Status.OPEN if ticket.owner_id else Ticket.Status.NEW
    sla.customer_wrote(ticket, now)
    ticket.last_message_at = now
    ticket.save()
    _audit(None, ticket, AuditEvent.Action.UPDATE, diff(before, snapshot(ticket, TICKET_FIELDS)))
    return message


def reopens(ticket: Ticket, now: dt.datetime) -> bool:
    """Whether a customer's message now continues this ticket (else it opens a new one)."""
    if ticket.status == Ticket.Status.CLOSED:
        return False
    if ticket.status == Ticket.Status.SOLVED and ticket.solved_at is not None:
        return now - ticket.solved_at <= dt.timedelta(days=REOPEN_DAYS)
    return True


def _move(ticket: Ticket, status: str, now: dt.datetime) -> None:
    if status not in Ticket.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    was = ticket.status
    if status == was:
        return
    if was == Ticket.Status.PENDING:
        sla.resume(ticket, now)
    if status == Ticket.Status.PENDING:
        sla.pause(ticket, now)
    if status in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        sla.stop(ticket)
        ticket.solved_at = ticket.solved_at or now
        if status == Ticket.Status.CLOSED:
            ticket.closed_at = now
    elif was in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        ticket.solved_at = None
        ticket.closed_at = None
    ticket.status = status


@transaction.atomic
def ticket_update(
    *, actor: User, ticket: Ticket, fields: dict[str, Any], now: dt.datetime | None = None
) -> Ticket:
    """Change status, priority, category, assignee or team. A new priority does not move
    the due times already running (the promise made stays)."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    before = snapshot(ticket, TICKET_FIELDS)
    for name, value in fields.items():
        if name == "status":
            if ticket.status == Ticket.Status.CLOSED and value != Ticket.Status.CLOSED:
                raise ValidationError({"status": _("A closed ticket stays closed.")})
            _move(ticket, value, now)
        elif name in ("priority", "category", "owner", "team", "subject"):
            setattr(ticket, name, value)
        elif name == "tags":
            continue  # a many-to-many: set below, once the ticket's own fields are valid
        else:
            raise ValidationError({name: _("This field cannot be set.")})
    if "owner" in fields and ticket.owner is not None and "team" not in fields:
        ticket.team_id = ticket.team_id or ticket.owner.team_id
    if ticket.status == Ticket.Status.NEW and ticket.owner_id is not None:
        ticket.status = Ticket.Status.OPEN
    ticket.full_clean(exclude=["customer", "owner", "team", "category"])
    changes = diff(before, snapshot(ticket, TICKET_FIELDS))
    if "tags" in fields:
        had = sorted(ticket.tags.values_list("pk", flat=True))
        wanted = sorted({tag.pk for tag in fields["tags"]})
        if had != wanted:
            ticket.tags.set(wanted)
            changes["tags"] = [had, wanted]
    if changes:  # saved unchanged, it stays as it was (updated_at too)
        ticket.save()
        _audit(actor, ticket, AuditEvent.Action.UPDATE, changes)
    return ticket


def tickets_bulk_update(
    *, actor: User, tickets: list[Ticket], fields: dict[str, Any]
) -> tuple[int, list[str]]:
    """The same change to many tickets, each in its own transaction and audited like one
    changed alone: how many changed, and why each refused one was left as it was."""
    changed, refused = 0, []
    for ticket in tickets:
        try:
            before = ticket.updated_at
            after = ticket_update(actor=actor, ticket=ticket, fields=fields)
        except ValidationError as error:
            refused.append(f"{ticket.number}: {' '.join(error.messages)}")
        else:
            changed += after.updated_at != before
    return changed, refused


def viewers_of(ticket: Ticket, user: User, now: dt.datetime | None = None) -> list[User]:
    """Record that ``user`` has the ticket open now; the others who had it open in the
    last ``VIEWING_SECONDS``."""
    now = now or timezone.now()
    TicketViewer.objects.bulk_create(  # one upsert
        [TicketViewer(ticket=ticket, user=user, seen_at=now)],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["seen_at"],
    )
    recent = TicketViewer.objects.filter(
        ticket=ticket, seen_at__gte=now - dt.timedelta(seconds=VIEWING_SECONDS)
    ).exclude(user=user)
    return [viewer.user for viewer in recent.select_related("user").order_by("seen_at")]
