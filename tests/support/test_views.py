"""The support pages: the inbox's views and search, opening a ticket for a phone call,
replying, noting, changing status; bad input answered next to the field, nothing written;
a rep limited to own and team records sees only theirs."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.messaging.models import Message
from samphan.support import services
from samphan.support.attachments import Incoming
from samphan.support.models import Ticket, TicketAttachment, TicketMessage
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent", language="en")  # pages in English


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.force_login(agent)
    return client


def ticket_for(customer, **kwargs) -> Ticket:
    fields = {
        "actor": None,
        "subject": "ขอใบกำกับภาษี",
        "body": "ต้องการใบกำกับเต็มรูป",
        "channel": "phone",
    }
    return services.ticket_open(customer=customer, **{**fields, **kwargs})


def test_opening_a_ticket_for_a_phone_call(agent_client, agent):
    customer = CustomerFactory(first_name="สมชาย")
    response = agent_client.post(
        "/support/new/",
        {"customer": customer.pk, "subject": "เครื่องเสีย", "body": "เปิดไม่ติด", "channel": "phone",
         "priority": "high", "owner": agent.pk},
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/support/{ticket.pk}/"
    assert (ticket.customer, ticket.owner, ticket.status) == (customer, agent, "open")
    assert ticket.first_response_due is not None  # the default policy for "high"
    page = agent_client.get(response["Location"]).content.decode()
    assert "เครื่องเสีย" in page and "เปิดไม่ติด" in page and "First response" in page


def test_a_ticket_without_customer_or_sender_is_refused_next_to_the_field(agent_client):
    response = agent_client.post(
        "/support/new/", {"subject": "x", "body": "y", "channel": "phone", "priority": "normal"}
    )
    assert response.status_code == 200
    assert "Choose the customer, or say who it is from." in response.content.decode()
    assert not Ticket.objects.exists()


def test_bad_choices_are_refused_and_nothing_written(agent_client):
    customer = CustomerFactory()
    response = agent_client.post(
        "/support/new/",
        {
            "customer": customer.pk,
            "subject": "x",
            "body": "y",
            "channel": "pigeon",
            "priority": "normal",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Ticket.objects.exists()


def test_reply_then_note_then_solve(agent_client, agent):
    ticket = ticket_for(CustomerFactory())
    url = f"/support/{ticket.pk}/"
    assert (
        agent_client.post(
            url, {"kind": "reply", "body": "ส่งให้แล้วครับ", "status": "pending"}
        ).status_code
        == 302
    )
    assert agent_client.post(url, {"kind": "note", "body": "ลูกค้าประจำ"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.owner == agent
    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == ["in", "out", "note"]
    response = agent_client.post(
        url, {"action": "update", "status": "solved", "priority": "normal"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "solved"


def test_an_empty_reply_is_refused_and_nothing_written(agent_client):
    ticket = ticket_for(CustomerFactory())
    response = agent_client.post(f"/support/{ticket.pk}/", {"kind": "reply", "body": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_a_bad_status_is_refused(agent_client):
    ticket = ticket_for(CustomerFactory())
    response = agent_client.post(
        f"/support/{ticket.pk}/", {"action": "update", "status": "lost", "priority": "normal"}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_saving_unchanged_changes_nothing(agent_client, agent):
    ticket = ticket_for(CustomerFactory(), owner=agent)
    before = Ticket.objects.filter(pk=ticket.pk).values().get()
    audit_rows = ticket_audit_count(ticket)
    form = {"action": "update", "status": "open", "priority": "normal", "owner": agent.pk,
            "team": agent.team_id or ""}  # fmt: skip
    assert agent_client.post(f"/support/{ticket.pk}/", form).status_code == 302
    after = Ticket.objects.filter(pk=ticket.pk).values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert ticket_audit_count(ticket) == audit_rows


def ticket_audit_count(ticket: Ticket) -> int:
    from samphan.core.models import AuditEvent

    return AuditEvent.objects.filter(subject_type="support.ticket", subject_id=ticket.pk).count()


def test_the_views_hold_what_they_say(agent_client, agent):
    mine = ticket_for(CustomerFactory(), owner=agent, subject="ของฉัน")
    unassigned = ticket_for(CustomerFactory(), subject="ไม่มีคนรับ")
    late = ticket_for(CustomerFactory(), subject="เลยกำหนด")
    late.first_response_due = timezone.now() - dt.timedelta(hours=1)
    late.save()
    services.ticket_update(actor=agent, ticket=mine, fields={"status": "solved"})

    def shown(view: str) -> set[str]:
        html = agent_client.get(f"/support/?view={view}").content.decode()
        return {s for s in ("ของฉัน", "ไม่มีคนรับ", "เลยกำหนด") if s in html}

    assert shown("mine") == set()
    assert shown("unassigned") == {"ไม่มีคนรับ", "เลยกำหนด"}
    assert shown("overdue") == {"เลยกำหนด"}
    assert shown("solved") == {"ของฉัน"}
    assert shown("open") == {"ไม่มีคนรับ", "เลยกำหนด"}
    html = agent_client.get(f"/support/?view=open&q=%23{unassigned.pk}").content.decode()
    assert "ไม่มีคนรับ" in html and "เลยกำหนด" not in html


def test_the_inbox_runs_the_same_queries_for_3_or_30_tickets(agent_client):
    def count() -> int:
        with assert_queries() as captured:
            assert agent_client.get("/support/?view=open").status_code == 200
        return len(captured)

    for _ in range(3):
        ticket_for(CustomerFactory())
    few = count()
    for _ in range(27):
        ticket_for(CustomerFactory())
    assert count() == few


def test_a_rep_sees_only_their_own_and_their_team_tickets(make_user):
    rep = make_user(Role.SALES, username="rep")
    outsider = UserFactory(username="outsider", team=TeamFactory(name="ทีมใต้"))
    theirs = ticket_for(CustomerFactory(), owner=rep, subject="ของทีมเรา")
    other = ticket_for(CustomerFactory(), owner=outsider, subject="ของทีมอื่น")
    client = Client()
    client.force_login(rep)
    html = client.get("/support/?view=open").content.decode()
    assert "ของทีมเรา" in html and "ของทีมอื่น" not in html
    assert client.get(f"/support/{theirs.pk}/").status_code == 200
    assert client.get(f"/support/{other.pk}/").status_code == 404
    assert client.post(f"/support/{other.pk}/", {"kind": "note", "body": "x"}).status_code == 404


def test_a_viewer_may_read_but_not_answer(make_user):
    ticket = ticket_for(CustomerFactory())
    client = Client()
    client.force_login(make_user(Role.VIEWER, username="looker"))
    assert client.get(f"/support/{ticket.pk}/").status_code == 200
    assert client.post(f"/support/{ticket.pk}/", {"kind": "note", "body": "x"}).status_code == 403
    assert client.get("/support/new/").status_code == 403
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_the_inbox_opens_on_mine_only_for_who_has_tickets(agent_client, agent):
    ticket_for(CustomerFactory(), subject="ของคนอื่น")
    html = agent_client.get("/support/").content.decode()
    assert 'href="?view=open" class="tab active"' in html and "ของคนอื่น" in html
    ticket_for(CustomerFactory(), subject="ของฉันเอง", owner=agent)
    html = agent_client.get("/support/").content.decode()
    assert 'href="?view=mine" class="tab active"' in html
    assert "ของฉันเอง" in html and "ของคนอื่น" not in html


def test_the_page_says_where_a_reply_goes_and_the_reply_is_queued_there(agent_client, reachable):
    ticket = services.ticket_open(
        actor=None, subject="Broken", body="Broken box", channel="email", address="ann@example.com"
    )
    page = agent_client.get(f"/support/{ticket.pk}/").content.decode()
    assert "A reply goes by e-mail to ann@example.com." in page
    assert 'lang="th" data-body="สวัสดีค่ะ คุณ' in page  # the canned replies, filled in

    agent_client.post(f"/support/{ticket.pk}/", {"kind": "reply", "body": "Sorry!", "status": ""})
    sent = Message.objects.get()
    assert (sent.channel, sent.to, sent.purpose) == ("email", "ann@example.com", "service")
    page = agent_client.get(f"/support/{ticket.pk}/").content.decode()
    assert "e-mail → ann@example.com" in page and "queued" in page


def test_a_reply_that_cannot_be_sent_is_said_before_and_after(agent_client):
    ticket = services.ticket_open(
        actor=None, subject="Call", body="Called", channel="phone", requester="Khun Nid"
    )
    page = agent_client.get(f"/support/{ticket.pk}/").content.decode()
    assert "A reply cannot be sent:" in page
    agent_client.post(f"/support/{ticket.pk}/", {"kind": "reply", "body": "Told her", "status": ""})
    page = agent_client.get(f"/support/{ticket.pk}/").content.decode()
    assert "not sent" in page and "choose the ticket&#x27;s customer" in page


def test_an_attachment_downloads_for_who_sees_the_ticket_only(agent_client, make_user):
    ticket = services.ticket_open(
        actor=None, subject="Receipt", body="Attached", channel="email", address="a@example.com",
        files=[Incoming("ใบเสร็จ.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
    )  # fmt: skip
    attachment = TicketAttachment.objects.get()
    page = agent_client.get(f"/support/{ticket.pk}/").content.decode()
    assert f'href="/support/attachments/{attachment.pk}/" download' in page

    response = agent_client.get(f"/support/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert agent_client.get(f"/media/{attachment.file.name}").status_code == 404  # never there

    rep = Client()
    rep.force_login(make_user(Role.SALES, username="rep"))  # not their ticket
    assert rep.get(f"/support/attachments/{attachment.pk}/").status_code == 404


HELP = {"name": "Ann Lee", "email": "Ann@Example.com", "subject": "Broken", "body": "It broke."}


def test_the_public_help_form_opens_a_ticket_answered_by_email(agent, smtp):
    response = Client().post("/p/help/?lang=en", HELP)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert f"We have your request #{ticket.pk}" in response.content.decode()
    assert (ticket.channel, ticket.address, ticket.requester) == (
        "web",
        "ann@example.com",
        "Ann Lee",
    )
    services.ticket_reply(actor=agent, ticket=ticket, body="Sorry")
    sent = Message.objects.get()
    assert (sent.channel, sent.to, sent.subject) == (
        "email",
        "ann@example.com",
        f"Re: Broken [#{ticket.pk}]",
    )
    assert ticket.messages.first().body == "It broke."


def test_the_help_form_takes_a_mobile_instead(agent):
    Client().post("/p/help/", {**HELP, "email": "", "mobile": "081 234 5678"})
    ticket = Ticket.objects.get()
    assert ticket.address == "+66812345678"
    services.ticket_reply(actor=agent, ticket=ticket, body="Sorry")
    assert Message.objects.get().channel == "sms"


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"email": "", "mobile": ""}, "email", "Give an e-mail or a mobile number"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": "", "mobile": "12"}, "mobile", ""),
        ({"body": ""}, "body", "This field is required."),
        ({"body": "x" * 5001}, "body", "at most 5000 characters"),
    ],
)
def test_the_help_form_refuses_bad_input_and_keeps_nothing(db, change, field, error):
    response = Client().post("/p/help/?lang=en", {**HELP, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert error in response.content.decode()  # next to the field, in the page's language
    assert not Ticket.objects.exists()


def test_the_help_form_honeypot_and_limit(db):
    assert Client().post("/p/help/", {**HELP, "website": "spam"}).status_code == 200
    assert not Ticket.objects.exists()
    codes = [Client().post("/p/help/", HELP).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert Ticket.objects.count() == 5
