"""The inbox's tools: bulk changes (each ticket audited, refused ones said, other people's
tickets untouched), assignment in turn or by load, and the warnings that keep two people
from answering at once (who else has the ticket open; a reply written on a stale page)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.support import services
from samphan.support.models import AssignmentRule, Ticket, TicketMessage, TicketTag
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def opened(**kwargs) -> Ticket:
    return services.ticket_open(
        actor=None, subject="คำถาม", body="ถาม", channel="phone", requester="คุณนิด", **kwargs
    )


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent", language="en")


@pytest.fixture
def client(agent):
    client = Client()
    client.force_login(agent)
    return client


def test_bulk_assigns_and_solves_the_ticked_tickets_each_audited(client, agent, make_user):
    mate = make_user(Role.SUPPORT, username="mate")
    first, second, untouched = opened(), opened(), opened()
    response = client.post("/support/bulk/", {
        "ticket": [first.pk, second.pk], "owner": mate.pk, "priority": "high",
        "next": "/support/?view=open",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/support/?view=open"
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.owner, ticket.priority, ticket.status) == (mate, "high", "open")
    assert Ticket.objects.get(pk=untouched.pk).owner is None
    audits = AuditEvent.objects.filter(subject_type="support.ticket", action="update", actor=agent)
    assert sorted(audits.values_list("subject_id", flat=True)) == [first.pk, second.pk]


def test_bulk_says_which_it_left_and_why(client):
    closed, open_one = opened(), opened()
    services.ticket_update(actor=None, ticket=closed, fields={"status": "closed"})
    response = client.post(
        "/support/bulk/", {"ticket": [closed.pk, open_one.pk], "status": "open"}, follow=True
    )
    page = response.content.decode()
    assert "1 ticket changed." in page and f"#{closed.pk}: A closed ticket stays closed." in page


def test_bulk_without_a_change_or_a_ticket_changes_nothing(client):
    ticket = opened()
    page = client.post("/support/bulk/", {"ticket": [ticket.pk]}, follow=True).content.decode()
    assert "Choose what to change" in page
    page = client.post("/support/bulk/", {"status": "solved"}, follow=True).content.decode()
    assert "Tick the tickets to change first." in page
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_bulk_cannot_touch_tickets_out_of_sight(make_user):
    rep = make_user(Role.SALES, username="rep")
    theirs = opened()
    client = Client()
    client.force_login(rep)
    client.post("/support/bulk/", {"ticket": [theirs.pk], "status": "solved"})
    assert Ticket.objects.get(pk=theirs.pk).status == "new"


def test_bulk_refuses_a_redirect_elsewhere(client):
    ticket = opened()
    response = client.post(
        "/support/bulk/", {"ticket": [ticket.pk], "status": "open", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/support/"


def test_round_robin_and_load_share_new_tickets(make_user):
    team = TeamFactory(name="ร้าน")
    a = make_user(Role.SUPPORT, username="a", team=team)
    b = make_user(Role.SUPPORT, username="b", team=team)
    make_user(Role.VIEWER, username="c", team=team)  # may not work tickets: never given one
    rule = AssignmentRule.objects.create(team=team, mode="round_robin")
    owners = [opened(team=team).owner for _ in range(4)]
    assert owners == [a, b, a, b]

    rule.mode = "load"
    rule.save()
    services.ticket_update(
        actor=None, ticket=Ticket.objects.filter(owner=a).first(), fields={"status": "solved"}
    )
    assert opened(team=team).owner == a  # a has 1 open ticket, b has 2
    assert opened().owner is None  # no team, no rule for it: waits in Unassigned


def test_a_rule_for_tickets_without_a_team_uses_the_support_staff(make_user):
    nok = make_user(Role.SUPPORT, username="nok")
    make_user(Role.SALES, username="sale")
    AssignmentRule.objects.create(mode="round_robin")
    assert [opened().owner for _ in range(2)] == [nok, nok]


def test_the_page_says_who_else_is_on_the_ticket(client, make_user):
    ticket = opened()
    mate = make_user(Role.SUPPORT, username="mate", first_name="Mali")
    other = Client()
    other.force_login(mate)
    other.get(f"/support/{ticket.pk}/")
    page = client.get(f"/support/{ticket.pk}/").content.decode()
    assert "Also on this ticket now:" in page and "Mali" in page
    assert "Mali" not in other.get(f"/support/{ticket.pk}/viewers/").content.decode()  # not herself


def test_a_reply_written_on_a_stale_page_is_held_back(client, agent):
    ticket = opened()
    seen = Ticket.objects.get(pk=ticket.pk).last_message_at.isoformat()
    services.ticket_customer_wrote(
        ticket=ticket, body="เพิ่มเติมค่ะ", now=timezone.now() + dt.timedelta(seconds=1)
    )
    response = client.post(f"/support/{ticket.pk}/", {"kind": "reply", "body": "ตอบ", "seen": seen})
    assert response.status_code == 409
    assert "While you were writing" in response.content.decode()
    assert not TicketMessage.objects.filter(kind="out").exists()
    fresh = Ticket.objects.get(pk=ticket.pk).last_message_at.isoformat()
    sent = client.post(f"/support/{ticket.pk}/", {"kind": "reply", "body": "ตอบ", "seen": fresh})
    assert sent.status_code == 302


def test_tags_set_on_the_page_filter_the_inbox_and_are_audited(client, agent):
    refund = TicketTag.objects.get(name="คืนเงิน")
    tagged, other = opened(), opened()
    response = client.post(f"/support/{tagged.pk}/", {
        "action": "update", "status": "new", "priority": "normal", "tags": [refund.pk],
    })  # fmt: skip
    assert response.status_code == 302
    assert list(tagged.tags.all()) == [refund]
    audit = AuditEvent.objects.filter(subject_id=tagged.pk, action="update").latest("at")
    assert audit.changes["tags"] == [[], [refund.pk]]
    page = client.get(f"/support/?view=open&tag={refund.pk}").content.decode()
    assert f"/support/{tagged.pk}/" in page and f"/support/{other.pk}/" not in page
    # Saved again unchanged: nothing is written.
    before = AuditEvent.objects.count()
    client.post(f"/support/{tagged.pk}/", {
        "action": "update", "status": "new", "priority": "normal", "tags": [refund.pk],
    })  # fmt: skip
    assert AuditEvent.objects.count() == before


def test_tags_through_the_api(agent):
    from tests.conftest import token_client

    api = token_client(agent)
    ticket = opened()
    url = f"/api/v1/tickets/{ticket.pk}"
    body = api.patch(url, {"tags": ["คืนเงิน", "ของเสียหาย"]}, content_type="application/json").json()
    assert sorted(body["tags"]) == ["ของเสียหาย", "คืนเงิน"]
    wrong = api.patch(url, {"tags": ["ไม่มี"]}, content_type="application/json")
    assert wrong.status_code == 422 and "tags" in wrong.content.decode()
    assert api.patch(url, {"tags": []}, content_type="application/json").json()["tags"] == []
