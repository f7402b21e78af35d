"""Tickets through their services: the SLA clock across Songkran, a weekend and a wait on
the customer, due times worked out by hand (see test_hours.py for the calendar); statuses,
reopening, assignment, the audit log and the customer's timeline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.customers.timeline import timeline_page
from samphan.support import services
from samphan.support.hours import BANGKOK
from samphan.support.models import Schedule, SlaPolicy, Ticket, TicketMessage
from tests.factories import CustomerFactory, TeamFactory


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def office(db):
    """The business's hours, 09:00-17:00 on weekdays, and one policy per priority."""
    Schedule.objects.all().delete()
    SlaPolicy.objects.all().delete()
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    hours = {
        f"{d}_{w}": t for d in weekdays for w, t in (("opens", dt.time(9)), ("closes", dt.time(17)))
    }
    Schedule.objects.create(name="Office", **hours)
    # 4 h to the first response, 2 h to each next one, 16 h (two days) to resolve.
    SlaPolicy.objects.create(
        priority="normal",
        first_response_minutes=240,
        next_response_minutes=120,
        resolution_minutes=960,
    )
    # Gold customers are answered within the hour.
    SlaPolicy.objects.create(
        priority="normal", tier="gold", first_response_minutes=60, next_response_minutes=60,
        resolution_minutes=480,
    )  # fmt: skip


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent")


def open_ticket(customer: Customer | None, now: dt.datetime, **kwargs) -> Ticket:
    return services.ticket_open(
        actor=None, subject="สินค้าชำรุด", body="กล่องบุบ", channel="phone", customer=customer,
        now=now, **kwargs,
    )  # fmt: skip


def test_the_clock_runs_across_songkran_a_weekend_and_a_wait_on_the_customer(office, agent):
    customer = CustomerFactory()
    # Thursday 9 April 15:00: first response in 4 working hours: 2 h on Thursday, 2 h on
    # Friday: Friday 11:00. Resolution in 16 h: 2 h Thursday, 8 h Friday, then the weekend
    # and Songkran (13-15), 6 h on Thursday 16 April: 15:00.
    ticket = open_ticket(customer, at(9, 15))
    assert (ticket.first_response_due, ticket.resolution_due) == (at(10, 11), at(16, 15))
    assert ticket.status == Ticket.Status.NEW

    # Answered on Thursday at 16:00, waiting on the customer: the clock stops with 1 h
    # (Thursday) + 8 h (Friday) + 6 h (16 April) = 900 working minutes to resolve.
    services.ticket_reply(actor=agent, ticket=ticket, body="ขอรูปถ่ายครับ", now=at(9, 16))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert ticket.first_responded_at == at(9, 16) and ticket.owner == agent
    assert ticket.resolution_due is None and ticket.paused_minutes == {"resolution": 900}

    # The customer answers on Monday 20 April at 10:00: 900 minutes from then is 7 h on
    # Monday and 8 h on Tuesday, Tuesday 17:00; the next response is due in 2 h, 12:00.
    services.ticket_customer_wrote(ticket=ticket, body="ส่งรูปแล้วค่ะ", now=at(20, 10))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert (ticket.next_response_due, ticket.resolution_due) == (at(20, 12), at(21, 17))
    assert ticket.paused_minutes == {}

    services.ticket_reply(
        actor=agent, ticket=ticket, body="ส่งของใหม่ให้แล้วครับ", status="solved", now=at(20, 11)
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.solved_at == at(20, 11)
    assert ticket.next_response_due is None
    assert ticket.resolution_due == at(21, 17)  # kept: it was met
    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == ["in", "out", "in", "out"]


def test_a_gold_customer_gets_the_gold_policy(office):
    gold = CustomerFactory(tier=Customer.Tier.GOLD)
    ticket = open_ticket(gold, at(10, 16))
    # 1 h: Friday 16:00-17:00.
    assert ticket.first_response_due == at(10, 17)
    # 8 h: 1 h Friday, 7 h on Thursday 16 April after the weekend and Songkran.
    assert ticket.resolution_due == at(16, 16)


def test_a_team_with_its_own_hours_is_counted_on_them(office):
    night = TeamFactory(name="กะดึก")
    hours = {f"{d}_{w}": t for d in ("friday", "saturday") for w, t in (("opens", dt.time(18)), ("closes", dt.time(23)))}  # fmt: skip
    Schedule.objects.create(name="Night", team=night, public_holidays=False, **hours)
    ticket = open_ticket(CustomerFactory(), at(10, 16), team=night)
    # 4 h from Friday 16:00 on the night shift: Friday 18:00-22:00.
    assert ticket.first_response_due == at(10, 22)


def test_without_a_policy_no_clock_runs(office):
    ticket = open_ticket(CustomerFactory(), at(10, 16), priority="urgent")
    assert ticket.first_response_due is None and ticket.resolution_due is None


def test_a_reply_within_seven_days_reopens_later_it_is_refused(office, agent):
    ticket = open_ticket(CustomerFactory(), at(1, 10))
    services.ticket_reply(
        actor=agent, ticket=ticket, body="เรียบร้อย", status="solved", now=at(1, 11)
    )
    services.ticket_customer_wrote(ticket=ticket, body="ยังไม่หายค่ะ", now=at(8, 11))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.solved_at is None
    services.ticket_reply(actor=agent, ticket=ticket, body="แก้แล้ว", status="solved", now=at(8, 12))
    with pytest.raises(ValidationError) as raised:
        services.ticket_customer_wrote(ticket=ticket, body="อีกครั้ง", now=at(16, 12))
    assert "ticket" in raised.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.SOLVED


def test_bad_input_writes_nothing(office, agent):
    with pytest.raises(ValidationError) as raised:
        services.ticket_open(actor=agent, subject="x", body="y", channel="phone")
    assert "customer" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        open_ticket(CustomerFactory(), at(1, 10), priority="whenever")
    assert "priority" in raised.value.message_dict
    assert not Ticket.objects.exists() and not TicketMessage.objects.exists()
    ticket = open_ticket(CustomerFactory(), at(1, 10))
    with pytest.raises(ValidationError):
        services.ticket_reply(actor=agent, ticket=ticket, body="   ")
    with pytest.raises(ValidationError):
        services.ticket_update(actor=agent, ticket=ticket, fields={"status": "lost"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and ticket.messages.count() == 1


def test_a_closed_ticket_stays_closed(office, agent):
    ticket = open_ticket(CustomerFactory(), at(1, 10))
    services.ticket_update(actor=agent, ticket=ticket, fields={"status": "closed"}, now=at(1, 12))
    with pytest.raises(ValidationError):
        services.ticket_update(actor=agent, ticket=ticket, fields={"status": "open"})
    with pytest.raises(ValidationError):
        services.ticket_customer_wrote(ticket=ticket, body="hello", now=at(1, 13))


def test_assigning_opens_a_new_ticket_and_takes_the_team(office, agent):
    ticket = open_ticket(CustomerFactory(), at(1, 10))
    services.ticket_update(actor=agent, ticket=ticket, fields={"owner": agent})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.team_id == agent.team_id


def test_every_change_is_audited_against_the_customer(office, agent):
    customer = CustomerFactory()
    ticket = open_ticket(customer, at(1, 10))
    services.ticket_reply(actor=agent, ticket=ticket, body="ok", now=at(1, 11))
    events = AuditEvent.objects.filter(subject_type="support.ticket", subject_id=ticket.pk)
    assert list(events.order_by("id").values_list("action", "customer_id")) == [
        ("create", customer.pk),
        ("update", customer.pk),
    ]
    assert events.order_by("id").last().changes["status"] == ["new", "pending"]


def test_the_ticket_is_on_the_customer_timeline(office, admin_user):
    customer = CustomerFactory()
    ticket = open_ticket(customer, at(1, 10))
    entries, _older = timeline_page(admin_user, customer)
    [entry] = [e for e in entries if e.source == "ticket"]
    assert entry.summary == f"#{ticket.pk} สินค้าชำรุด" and entry.url == f"/support/{ticket.pk}/"


def test_erasing_the_customer_erases_what_their_tickets_say(office, agent):
    from samphan.privacy.erasure import customer_erase

    customer = CustomerFactory(first_name="สมชาย")
    ticket = open_ticket(customer, at(1, 10), requester="somchai@example.com")
    services.ticket_reply(actor=agent, ticket=ticket, body="คุณสมชาย ส่งของให้แล้วครับ", now=at(1, 11))
    customer_erase(customer, actor=agent, reason="คำขอ PDPA")
    ticket.refresh_from_db()
    assert "ชำรุด" not in ticket.subject and ticket.requester == ""
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert len(bodies) == 2 and not any("สมชาย" in b or "บุบ" in b for b in bodies)
    # What was handled and when stays, for the service figures.
    assert ticket.first_responded_at == at(1, 11) and ticket.status == Ticket.Status.PENDING


def test_the_queue_is_the_soonest_due_while_open(office, agent):
    fresh = open_ticket(CustomerFactory(), at(1, 10))  # first response and resolution run
    answered = open_ticket(CustomerFactory(), at(1, 10))
    services.ticket_reply(actor=agent, ticket=answered, body="ok", status="open", now=at(1, 11))
    again = open_ticket(CustomerFactory(), at(2, 10))
    services.ticket_reply(actor=agent, ticket=again, body="ok", now=at(2, 11))
    services.ticket_customer_wrote(ticket=again, body="ยังไม่ได้", now=at(2, 12))
    waiting = open_ticket(CustomerFactory(), at(3, 10))
    services.ticket_reply(actor=agent, ticket=waiting, body="ok", now=at(3, 11))
    solved = open_ticket(CustomerFactory(), at(3, 10))
    services.ticket_reply(actor=agent, ticket=solved, body="ok", status="solved", now=at(3, 11))
    found = dict(Ticket.objects.values_list("pk", "queue_due"))
    assert found[fresh.pk] == at(1, 14)  # 4 h to the first response
    assert found[answered.pk] == at(3, 10)  # only the resolution: 7 + 8 + 1 working hours
    assert found[again.pk] == at(2, 14)  # 2 h to the next response
    assert found[waiting.pk] == Ticket.NO_PROMISE  # paused: open, after the others
    assert found[solved.pk] is None  # out of the queue
    services.ticket_customer_wrote(ticket=solved, body="ยังเสียอยู่", now=at(6, 9))
    solved.refresh_from_db()  # reopened on Monday 6 April, Chakri Day: from Tuesday 09:00
    assert solved.status == Ticket.Status.OPEN and solved.queue_due == at(7, 11)
