"""The worker's watch on service promises, against due times worked out by hand across
Songkran: a warning to the assignee 30 minutes before, a breach recorded and escalated to
the team's managers when missed, each once; a promise met or paused is left alone."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import Notification
from samphan.support import services
from samphan.support.models import SlaEvent, Ticket
from samphan.support.watch import sla_round
from tests.factories import CustomerFactory, TeamFactory
from tests.support.test_tickets import at, office, open_ticket  # noqa: F401 - office: a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    team, other_team = TeamFactory(name="หน้าร้าน"), TeamFactory(name="ออนไลน์")
    return {
        "agent": make_user(Role.SUPPORT, username="agent", team=team, language="en"),
        "boss": make_user(Role.MANAGER, username="boss", team=team, language="en"),
        "other_boss": make_user(Role.MANAGER, username="other", team=other_team),
    }


def told(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True)
    )


def test_warned_then_breached_then_escalated_once_each(office, people):  # noqa: F811
    agent, boss = people["agent"], people["boss"]
    # Friday 10 April 16:00, 4 working hours to the first response: 1 h on Friday, then
    # the weekend and Songkran (Monday 13 to Wednesday 15), 3 h on Thursday 16: 12:00.
    ticket = open_ticket(CustomerFactory(), at(10, 16), owner=agent)
    assert ticket.first_response_due == at(16, 12)

    assert sla_round(at(16, 11, 29)) == 0  # 31 minutes before: not yet
    assert sla_round(at(16, 11, 40)) == 1
    assert sla_round(at(16, 11, 45)) == 0  # warned once
    assert told(agent) == [f"#{ticket.pk}: first response due in 20 minutes (สินค้าชำรุด)"]

    assert sla_round(at(16, 12, 1)) == 1
    assert sla_round(at(16, 12, 30)) == 0  # recorded once
    breach = SlaEvent.objects.get(kind="breach")
    assert (breach.promise, breach.due_at, breach.at) == (
        "first_response",
        at(16, 12),
        at(16, 12, 1),
    )
    missed = f"#{ticket.pk}: first response missed, it was due 12:00 (สินค้าชำรุด)"
    assert told(agent)[-1] == missed and told(boss) == [missed]
    assert told(people["other_boss"]) == []  # another team's manager


def test_a_promise_met_in_time_is_never_breached(office, people):  # noqa: F811
    agent = people["agent"]
    ticket = open_ticket(CustomerFactory(), at(10, 16), owner=agent)
    services.ticket_reply(
        actor=agent, ticket=ticket, body="รับเรื่องแล้ว", status="open", now=at(16, 11)
    )
    sla_round(at(16, 12, 1))
    assert not SlaEvent.objects.filter(promise="first_response").exists()


def test_a_ticket_waiting_on_the_customer_is_left_alone(office, people):  # noqa: F811
    agent = people["agent"]
    ticket = open_ticket(CustomerFactory(), at(10, 16), owner=agent)
    services.ticket_reply(actor=agent, ticket=ticket, body="ขอรูป", now=at(16, 11))  # pending
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"
    assert sla_round(at(30, 12)) == 0


def test_an_unassigned_breach_goes_to_every_manager_without_a_team(office, make_user):  # noqa: F811
    boss = make_user(Role.MANAGER, username="boss")
    ticket = open_ticket(CustomerFactory(), at(10, 16))
    sla_round(at(16, 12, 1))
    assert len(told(boss)) == 1 and f"#{ticket.pk}" in told(boss)[0]


def test_a_round_skips_what_it_told_so_a_long_backlog_does_not_hide_the_next(
    office,  # noqa: F811
    people,
    monkeypatch,
):
    monkeypatch.setattr("samphan.support.watch.BATCH", 2)
    # Three tickets opened on Wednesday 1 April 10:00: first response due 14:00.
    tickets = [open_ticket(CustomerFactory(), at(1, 10)) for _ in range(3)]
    assert sla_round(at(1, 15)) == 2  # a round takes two
    assert sla_round(at(1, 15, 1)) == 1  # the third, not the two already recorded
    assert sla_round(at(1, 15, 2)) == 0
    assert set(SlaEvent.objects.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}
