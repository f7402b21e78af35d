"""/api/v1/tickets and /api/v1/surveys: the inbox's views, opening, the thread, replies
sent through the outbox, notes, status and assignment, the inbound push of other help
desks (idempotent, threaded), surveys and their answers; a rep sees only theirs; bad
input answers 4xx naming the field and writes nothing."""

import pytest
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.messaging.models import Message
from samphan.support import services
from samphan.support.attachments import Incoming
from samphan.support.models import Category, Survey, Ticket, TicketMessage
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent")


@pytest.fixture
def desk(agent):
    return token_client(agent)


def test_open_reply_note_solve_through_the_api(desk, agent, reachable):
    category = Category.objects.get(name_en="Delivery")
    created = desk.post("/api/v1/tickets", {
        "customer_id": reachable.pk, "subject": "ของไม่ครบ", "body": "ได้ 5 จาก 6 ใบ",
        "channel": "phone", "priority": "high", "category_id": category.pk,
    }, content_type=JSON)  # fmt: skip
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert (ticket["status"], ticket["priority"], ticket["customer_id"]) == (
        "new",
        "high",
        reachable.pk,
    )
    assert ticket["first_response_due"] and ticket["number"] == f"#{ticket['id']}"
    url = f"/api/v1/tickets/{ticket['id']}"

    reply = desk.post(f"{url}/messages", {"body": "ส่งเพิ่มให้พรุ่งนี้ค่ะ"}, content_type=JSON)
    assert reply.status_code == 201 and reply.json()["delivery"] == "queued"
    note = desk.post(f"{url}/messages", {"kind": "note", "body": "เช็กสต็อก"}, content_type=JSON)
    assert note.status_code == 201 and note.json()["delivery"] == ""
    assert Message.objects.get().text == "ส่งเพิ่มให้พรุ่งนี้ค่ะ"  # the note is never sent

    thread = desk.get(f"{url}/messages").json()
    assert [m["kind"] for m in thread] == ["in", "out", "note"]
    after = desk.get(url).json()
    assert (after["status"], after["owner_id"]) == ("pending", agent.pk)  # took it by answering

    solved = desk.patch(url, {"status": "solved"}, content_type=JSON)
    assert solved.status_code == 200 and solved.json()["solved_at"]
    listed = desk.get("/api/v1/tickets", {"view": "solved"}).json()
    assert [t["id"] for t in listed["items"]] == [ticket["id"]]


def test_patch_assigns_and_clears_and_refuses_bad_values(desk, make_user):
    other = make_user(Role.SUPPORT, username="other")
    ticket = services.ticket_open(
        actor=None, subject="x", body="y", channel="phone", requester="Nid"
    )
    url = f"/api/v1/tickets/{ticket.pk}"
    assigned = desk.patch(url, {"owner_id": other.pk}, content_type=JSON).json()
    assert (assigned["owner_id"], assigned["status"]) == (other.pk, "open")
    assert desk.patch(url, {"owner_id": None}, content_type=JSON).json()["owner_id"] is None
    for body, field in [
        ({"owner_id": 999_999}, "owner_id"),
        ({"status": "lost"}, "status"),
        ({"priority": None}, "priority"),
        ({"colour": "red"}, "colour"),
    ]:
        response = desk.patch(url, body, content_type=JSON)
        assert response.status_code in (400, 422), (body, response.content)
        assert field in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x", "body": "y"}, "customer"),  # nobody: no customer, no sender
        ({"subject": "", "body": "y", "requester": "Nid"}, "subject"),
        ({"subject": "x", "body": "y", "requester": "Nid", "channel": "fax"}, "channel"),
        ({"subject": "x", "body": "y", "requester": "Nid", "category_id": 999}, "category_id"),
        ({"subject": "x", "body": "y", "customer_id": True}, "customer_id"),
    ],
)
def test_bad_tickets_are_refused_and_nothing_written(desk, body, field):
    response = desk.post("/api/v1/tickets", body, content_type=JSON)
    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_inbound_push_opens_continues_and_is_idempotent(desk):
    push = {"external_id": "zd-1", "channel": "email", "address": "ann@example.com",
            "name": "Ann", "subject": "Refund", "body": "Please refund order 12"}  # fmt: skip
    first = desk.post("/api/v1/tickets/inbound", push, content_type=JSON)
    assert first.status_code == 201, first.content
    again = desk.post("/api/v1/tickets/inbound", push, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    follow = {**push, "external_id": "zd-2", "in_reply_to": "zd-1", "body": "Any news?"}
    assert (
        desk.post("/api/v1/tickets/inbound", follow, content_type=JSON).json()["id"]
        == first.json()["id"]
    )
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.address, ticket.requester) == ("email", "ann@example.com", "Ann")
    assert list(TicketMessage.objects.values_list("external_id", flat=True)) == [
        "api:zd-1",
        "api:zd-2",
    ]
    missing = desk.post(
        "/api/v1/tickets/inbound", {"external_id": "x", "body": ""}, content_type=JSON
    )
    assert missing.status_code == 422 and "body" in missing.content.decode()


def test_a_rep_sees_only_their_own_tickets_and_surveys(make_user):
    rep = make_user(Role.SALES, username="rep")
    mine = services.ticket_open(
        actor=None, subject="mine", body="b", channel="phone", requester="A", owner=rep
    )
    theirs = services.ticket_open(
        actor=None, subject="theirs", body="b", channel="phone", requester="B"
    )
    client = token_client(rep)
    listed = client.get("/api/v1/tickets", {"view": "open"}).json()
    assert [t["id"] for t in listed["items"]] == [mine.pk]
    assert client.get(f"/api/v1/tickets/{theirs.pk}").status_code == 404
    assert (
        client.post(
            f"/api/v1/tickets/{theirs.pk}/messages", {"body": "hi"}, content_type=JSON
        ).status_code
        == 404
    )
    other = Survey.objects.create(customer=CustomerFactory())
    assert client.get(f"/api/v1/surveys/{other.pk}").status_code == 404


def test_a_viewer_may_read_but_not_write(make_user):
    viewer = token_client(make_user(Role.VIEWER, username="viewer"))
    ticket = services.ticket_open(actor=None, subject="x", body="y", channel="phone", requester="A")
    assert viewer.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    assert (
        viewer.patch(
            f"/api/v1/tickets/{ticket.pk}", {"status": "solved"}, content_type=JSON
        ).status_code
        == 403
    )
    assert (
        viewer.post(
            "/api/v1/tickets/inbound", {"external_id": "1", "body": "x"}, content_type=JSON
        ).status_code
        == 403
    )


def test_surveys_are_sent_and_read_with_their_answers(desk, reachable):
    sent = desk.post("/api/v1/surveys", {"customer_id": reachable.pk}, content_type=JSON)
    assert sent.status_code == 201, sent.content
    survey = Survey.objects.get()
    assert survey.message is not None and sent.json()["skipped"] == ""
    Survey.objects.filter(pk=survey.pk).update(score=3, comment="ok", answered_at=timezone.now())
    answered = desk.get("/api/v1/surveys", {"customer": reachable.pk, "answered": "true"}).json()
    assert [(s["score"], s["comment"]) for s in answered["items"]] == [(3, "ok")]
    again = desk.post("/api/v1/surveys", {"customer_id": reachable.pk}, content_type=JSON)
    assert "14" in again.json()["skipped"] and Survey.objects.count() == 2  # kept, not sent
    stranger = services.ticket_open(
        actor=None, subject="x", body="y", channel="phone", requester="A"
    )
    wrong = desk.post(
        "/api/v1/surveys",
        {"customer_id": reachable.pk, "ticket_id": stranger.pk},
        content_type=JSON,
    )
    assert wrong.status_code == 422 and "ticket_id" in wrong.content.decode()


def test_the_thread_lists_files_kept_and_refused(desk):
    ticket = services.ticket_open(
        actor=None, subject="x", body="y", channel="email", address="a@example.com",
        files=[Incoming("a.pdf", "application/pdf", b"%PDF-1.4"), Incoming("b.exe", "application/x-msdownload", b"MZ")],
    )  # fmt: skip
    (message,) = desk.get(f"/api/v1/tickets/{ticket.pk}/messages").json()
    files = [(f["filename"], f["kept"], bool(f["refused"])) for f in message["attachments"]]
    assert files == [("a.pdf", True, False), ("b.exe", False, True)]
