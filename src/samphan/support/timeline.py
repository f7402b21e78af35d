"""Tickets on the customer timeline (see ``samphan.customers.timeline``): each when it was
opened, with its subject, status and a link to its thread."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from samphan.accounts.models import User
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import Cursor, Entry
from samphan.support.models import Ticket

FIELDS = ("id", "customer", "subject", "channel", "status", "created_at")
STATUS_LABELS = dict(Ticket.Status.choices)
CHANNEL_LABELS = dict(Ticket.Channel.choices)


class Tickets:
    rank = 3
    kinds = frozenset({Interaction.Kind.TICKET.value})

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
        if not user.has_perm("support.view_ticket"):
            return []
        tickets = self._rows(Ticket.objects.filter(customer_id=customer.pk))
        if q:
            tickets = tickets.filter(Q(subject__icontains=q))
        if before is not None:
            tickets = tickets.filter(before.older(self.rank, at="created_at"))
        return [self.entry(ticket) for ticket in tickets[:limit]]

    def latest(self, user: User, count: int) -> list[Entry]:
        """None: the support inbox is where new tickets are seen."""
        return []

    @staticmethod
    def _rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        return tickets.only(*FIELDS).order_by("-created_at", "-id")

    def entry(self, ticket: Ticket) -> Entry:
        return Entry(
            source="ticket",
            rank=self.rank,
            id=ticket.pk,
            kind=Interaction.Kind.TICKET,
            kind_label=str(Interaction.Kind.TICKET.label),
            occurred_at=ticket.created_at,
            summary=f"{ticket.number} {ticket.subject}",
            body=str(STATUS_LABELS.get(ticket.status, ticket.status)),
            channel=str(CHANNEL_LABELS.get(ticket.channel, ticket.channel)),
            user=None,
            customer_id=ticket.customer_id or 0,
            url=reverse("ticket_detail", args=[ticket.pk]),
        )
