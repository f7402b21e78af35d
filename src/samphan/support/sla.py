"""The SLA clock of a ticket: which policy holds, when each promise falls due, and how the
clock stops while the ticket waits on the customer.

Three promises: the first response, the next response (after each message from the
customer) and the resolution. Each is a number of working minutes of the ticket's team
(``hours.py``); while the ticket is pending the customer, the minutes each promise has left
are kept and the due times cleared, and when the customer answers the clock runs again
from that moment with the minutes that were left.
"""

import datetime as dt

from django.db.models import Q

from samphan.support.hours import Week, add_working_minutes, working_minutes_between
from samphan.support.models import Schedule, SlaPolicy, Ticket

# The ticket fields each promise's due time lives in.
DUE = {
    "first_response": "first_response_due",
    "next_response": "next_response_due",
    "resolution": "resolution_due",
}


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The policy for the ticket's priority and its customer's tier, else for its priority
    and any tier; None when neither exists (no clock runs)."""
    tier = ticket.customer.tier if ticket.customer_id and ticket.customer else ""
    policies = {p.tier: p for p in SlaPolicy.objects.filter(priority=ticket.priority)}
    return policies.get(tier) or policies.get("")


def schedule_for(ticket: Ticket) -> Schedule | None:
    """The ticket team's hours, else the business's."""
    mine = Q(team__isnull=True) | Q(team=ticket.team_id) if ticket.team_id else Q(team__isnull=True)
    schedules = {s.team_id: s for s in Schedule.objects.filter(mine)}
    if ticket.team_id is not None and ticket.team_id in schedules:
        return schedules[ticket.team_id]
    return schedules.get(None)


def week_for(ticket: Ticket) -> Week | None:
    schedule = schedule_for(ticket)
    if schedule is None or not schedule.days():
        return None
    return schedule.week()


def start(ticket: Ticket, now: dt.datetime) -> None:
    """A new ticket: the first-response and resolution clocks start now."""
    policy, week = policy_for(ticket), week_for(ticket)
    if policy is None or week is None:
        return
    ticket.first_response_due = add_working_minutes(now, policy.first_response_minutes, week)
    ticket.resolution_due = add_working_minutes(now, policy.resolution_minutes, week)


def customer_wrote(ticket: Ticket, now: dt.datetime) -> None:
    """A message from the customer: a paused clock runs again, and once the first response
    is given, the next response falls due. The schedule is read once for both."""
    week = week_for(ticket)
    _resume(ticket, now, week)
    if ticket.first_responded_at is None or ticket.next_response_due is not None:
        return
    policy = policy_for(ticket)
    if policy is not None and week is not None:
        ticket.next_response_due = add_working_minutes(now, policy.next_response_minutes, week)


def staff_replied(ticket: Ticket, now: dt.datetime) -> None:
    """A reply to the customer meets the first response (once; its due time stays, to say
    whether it was met) and the next response."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    ticket.next_response_due = None
    ticket.paused_minutes.pop("first_response", None)
    ticket.paused_minutes.pop("next_response", None)


def pause(ticket: Ticket, now: dt.datetime) -> None:
    """Waiting on the customer: keep what each running promise has left, stop the clock."""
    running = ticket.promises_running()
    week = week_for(ticket) if running else None
    for promise, due in running.items():
        left = working_minutes_between(now, due, week) if week is not None else 0
        ticket.paused_minutes[promise] = left
        setattr(ticket, DUE[promise], None)


def resume(ticket: Ticket, now: dt.datetime) -> None:
    """The clock runs again from ``now`` with the minutes each promise had left."""
    if ticket.paused_minutes:
        _resume(ticket, now, week_for(ticket))


def _resume(ticket: Ticket, now: dt.datetime, week: Week | None) -> None:
    if week is not None:
        for promise, left in ticket.paused_minutes.items():
            setattr(ticket, DUE[promise], add_working_minutes(now, int(left), week))
    ticket.paused_minutes = {}


def stop(ticket: Ticket) -> None:
    """Solved or closed: no promise is running (the due times met stay, for reports)."""
    ticket.next_response_due = None
    ticket.paused_minutes = {}
