"""Replies leave through the outbox on the channel the customer wrote from, threaded under
their mail, under the service-purpose consent rules; a sender nobody knew becomes a
customer when answered; canned replies are filled in for the ticket."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from samphan.messaging.models import LineAccount, Message
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.support import replies, services
from samphan.support.models import CannedReply, Ticket, TicketMessage
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db
MAIL_ID = "<CAF+abc123@mail.example.com>"


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent", first_name="Nok")


def mailed(address: str, requester: str = "", subject: str = "Broken box") -> Ticket:
    ticket = services.ticket_open(
        actor=None, subject=subject, body="The box came broken.", channel="email",
        address=address, requester=requester,
    )  # fmt: skip
    ticket.messages.update(external_id=MAIL_ID)
    return ticket


def test_an_email_ticket_is_answered_by_email_threaded_under_the_customers_mail(
    reachable, agent, smtp, settings
):
    settings.SAMPHAN_SUPPORT_EMAIL = "help@samphan.test"
    ticket = mailed("ANN@example.com")
    assert ticket.customer == reachable  # the one customer with this address

    reply = services.ticket_reply(actor=agent, ticket=ticket, body="ขอโทษค่ะ จะส่งใหม่ให้")
    assert Outbox(RateLimits({})).run() == 1

    (received,) = smtp.messages
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == f"Re: Broken box [#{ticket.pk}]"
    assert received["In-Reply-To"] == MAIL_ID
    assert received["References"] == MAIL_ID
    assert received["Reply-To"] == "help@samphan.test"
    assert received.get_body(("plain",)).get_content().startswith("ขอโทษค่ะ จะส่งใหม่ให้")
    reply.refresh_from_db()
    assert received["Message-ID"] == reply.external_id  # the customer's answer finds it
    assert reply.outbox.purpose == "service" and reply.outbox.status == Message.Status.SENT


def test_a_second_reply_references_the_whole_thread(reachable, agent, smtp):
    ticket = mailed("ann@example.com")
    first = services.ticket_reply(actor=agent, ticket=ticket, body="First")
    services.ticket_reply(actor=agent, ticket=ticket, body="Second", status="open")
    second = Message.objects.get(text="Second")
    assert second.headers["In-Reply-To"] == first.external_id
    assert second.headers["References"] == f"{MAIL_ID} {first.external_id}"


def test_a_reply_to_a_sender_nobody_knew_makes_them_a_customer(agent, smtp):
    ticket = mailed("somchai@example.com", requester="Somchai Jaidee")
    assert ticket.customer is None
    services.ticket_reply(actor=agent, ticket=ticket, body="Hello")

    ticket.refresh_from_db()
    customer = ticket.customer
    assert customer.display_name == "Somchai Jaidee"
    assert list(customer.contact_points.values_list("kind", "value")) == [
        (ContactPoint.Kind.EMAIL, "somchai@example.com")
    ]
    assert Message.objects.get().customer == customer
    audit = AuditEvent.objects.filter(subject_type="support.ticket", action="update").get()
    assert audit.changes["customer"] == [None, customer.pk]


def test_withdrawn_service_consent_on_email_sends_the_reply_by_another_channel(reachable, agent):
    grant(reachable, "email", purpose="service", status="withdrawn")
    services.ticket_reply(actor=agent, ticket=mailed("ann@example.com"), body="Hello")
    assert Message.objects.get().channel == "line"  # their preferred one that may be used


def test_withdrawn_service_consent_everywhere_keeps_the_reply_on_the_ticket_unsent(
    reachable, agent
):
    for channel in ("email", "sms", "line"):
        grant(reachable, channel, purpose="service", status="withdrawn")
    ticket = mailed("ann@example.com")
    assert not replies.route_for(ticket)
    reply = services.ticket_reply(actor=agent, ticket=ticket, body="Hello")
    reply.refresh_from_db()
    assert reply.outbox is None
    assert "Consent to service messages by e-mail withdrawn." in reply.unsent_reason
    assert not Message.objects.exists()
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None  # the answer was given, if not sent


def test_a_line_ticket_is_answered_on_line(reachable, agent):
    user_id = LineAccount.objects.get(customer=reachable).user_id
    ticket = services.ticket_open(
        actor=None, subject="LINE", body="สวัสดี", channel="line", address=user_id
    )
    assert ticket.customer == reachable
    services.ticket_reply(actor=agent, ticket=ticket, body="สวัสดีค่ะ")
    sent = Message.objects.get()
    assert (sent.channel, sent.to, sent.subject, sent.headers) == ("line", user_id, "", {})


def test_a_phone_ticket_is_answered_by_the_customers_preferred_channel(reachable, agent):
    reachable.contact_points.filter(kind="mobile").update(is_preferred=True)
    ticket = services.ticket_open(
        actor=None, subject="Call", body="Called", channel="phone", customer=reachable
    )
    services.ticket_reply(actor=agent, ticket=ticket, body="We called you back")
    assert Message.objects.get().channel == "sms"


def test_a_phone_ticket_without_a_customer_cannot_be_answered_in_writing(agent):
    ticket = services.ticket_open(
        actor=None, subject="Call", body="Called", channel="phone", requester="Khun Nid"
    )
    reply = services.ticket_reply(actor=agent, ticket=ticket, body="Told her on the phone")
    assert reply.unsent_reason == "Nobody to send it to: choose the ticket's customer."
    assert not Customer.objects.exists() and not Message.objects.exists()


def test_a_note_is_never_sent(reachable, agent):
    services.ticket_note(actor=agent, ticket=mailed("ann@example.com"), body="Check stock")
    assert not Message.objects.exists()


def test_canned_replies_are_filled_in_for_the_ticket(reachable, agent):
    CannedReply.objects.all().delete()
    CannedReply.objects.create(title="Hi", body="Hi {name}, about {ticket}: {agent}. {other}")
    ticket = mailed("ann@example.com")
    ((_, text),) = replies.canned_for(ticket, agent)
    assert text == f"Hi {reachable.display_name}, about #{ticket.pk}: Nok. {{other}}"


def test_the_defaults_give_canned_replies_in_thai_and_english():
    assert set(CannedReply.objects.values_list("language", flat=True)) == {"th", "en"}


def test_the_subject_keeps_one_token_and_one_re():
    ticket = Ticket(pk=7, subject="Re: Broken box [#7]")
    assert replies.subject_of(ticket) == "Re: Broken box [#7]"
    assert TicketMessage._meta.get_field("external_id").max_length == 300
