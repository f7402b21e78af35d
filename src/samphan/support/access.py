"""Fetch-and-authorise a ticket by id, as for every owned record
(``core.permissions.record_for_user``): 403 without the permission, 404 out of sight."""

from samphan.accounts.models import User
from samphan.core.permissions import record_for_user
from samphan.support.models import Ticket


def ticket_for_user(user: User, pk: int, *, perm: str = "support.view_ticket") -> Ticket:
    tickets = Ticket.objects.select_related("customer", "owner", "team", "category")
    return record_for_user(tickets, user, pk, perm=perm)
