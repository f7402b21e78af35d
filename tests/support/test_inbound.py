"""LINE and SMS messages into tickets, through the signed webhooks as the providers call
them: a first message opens a ticket, the next ones continue it, a retried webhook is
kept once, STOP stays an unsubscribe, a forged signature changes nothing; replies go back
on the same channel."""

import datetime as dt

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.messaging.hooks import twilio_signature
from samphan.messaging.models import LineAccount, Message
from samphan.support import services
from samphan.support.models import Ticket, TicketMessage
from tests.messaging.test_hooks import USER, line_post, sms_post

pytestmark = pytest.mark.django_db


def line_message(message_id: str, text: str = "สั่งของไปสามวันแล้วยังไม่ได้รับค่ะ", user=USER, **kw):
    message = {"type": "text", "id": message_id, "text": text, **kw}
    return {
        "destination": "Uxxxxxxxx",
        "events": [{
            "type": "message", "mode": "active", "timestamp": 1700000000000,
            "source": {"type": "user", "userId": user}, "webhookEventId": f"01{message_id}",
            "replyToken": "r", "message": message,
            "deliveryContext": {"isRedelivery": False},
        }],
    }  # fmt: skip


def test_a_line_message_opens_a_ticket_and_the_next_continues_it(line_api, make_user):
    assert line_post(line_message("1001")).status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.address, ticket.customer) == ("line", USER, None)
    assert ticket.subject == "สั่งของไปสามวันแล้วยังไม่ได้รับค่ะ"
    assert ticket.requester == f"LINE {USER[:9]}…"
    assert LineAccount.objects.filter(user_id=USER).exists()

    line_post(line_message("1002", "เลขพัสดุอะไรคะ"))
    line_post(line_message("1002", "เลขพัสดุอะไรคะ"))  # LINE retried the same event
    line_post(line_message("1003", type="sticker", text=None, packageId="1", stickerId="2"))
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert bodies[1:] == ["เลขพัสดุอะไรคะ", "[สติกเกอร์ / sticker]"]
    assert Ticket.objects.count() == 1

    agent = make_user(Role.SUPPORT, username="agent")
    services.ticket_reply(actor=agent, ticket=ticket, body="กำลังตรวจสอบค่ะ")
    sent = Message.objects.get()
    assert (sent.channel, sent.to) == ("line", USER)  # the sender became a customer
    assert LineAccount.objects.get(user_id=USER).customer == Ticket.objects.get().customer


def test_a_line_message_from_a_linked_customer_is_theirs(line_api, reachable):
    line_post(line_message("2001", user="U" + "a" * 32))
    assert Ticket.objects.get().customer == reachable


def test_a_forged_line_message_changes_nothing(line_api):
    assert line_post(line_message("3001"), secret="wrong").status_code == 403
    assert not Ticket.objects.exists()


def test_a_message_to_a_ticket_closed_opens_a_new_one(line_api, make_user):
    line_post(line_message("4001"))
    ticket = Ticket.objects.get()
    agent = make_user(Role.SUPPORT, username="agent")
    services.ticket_update(actor=agent, ticket=ticket, fields={"status": "closed"})
    line_post(line_message("4002", "อีกเรื่องค่ะ"))
    assert Ticket.objects.count() == 2


def test_an_sms_reply_opens_a_ticket_but_stop_only_unsubscribes(sms_gateway, reachable):
    assert sms_post({"from": "0812345678", "text": "ของมาไม่ครบค่ะ", "id": "m1"}).status_code == 200
    assert sms_post({"from": "0812345678", "text": "ของมาไม่ครบค่ะ", "id": "m1"}).status_code == 200
    response = sms_post({"from": "0812345678", "text": "STOP"})
    assert response.json() == {"stopped": True}
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.address, ticket.customer) == ("sms", "+66812345678", reachable)
    assert list(ticket.messages.values_list("body", flat=True)) == ["ของมาไม่ครบค่ะ"]
    assert TicketMessage.objects.get().external_id == "sms:m1"


def test_twilio_sms_in_opens_a_ticket(sms_gateway, reachable, settings):
    settings.SAMPHAN_SMS_ADAPTER = "twilio"
    settings.SAMPHAN_SMS_SECRET = "twilio-token"
    form = {"From": "+66812345678", "Body": "ขอใบเสร็จค่ะ", "MessageSid": "SM1"}
    signature = twilio_signature("http://127.0.0.1:8000/hooks/sms/", form, "twilio-token")
    response = Client().post("/hooks/sms/", form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert TicketMessage.objects.get().external_id == "sms:SM1"


def test_solved_within_the_week_reopens_later_opens_anew(sms_gateway, reachable, make_user):
    sms_post({"from": "0812345678", "text": "ช่วยด้วย", "id": "a"})
    ticket = Ticket.objects.get()
    agent = make_user(Role.SUPPORT, username="agent")
    services.ticket_reply(actor=agent, ticket=ticket, body="เรียบร้อยค่ะ", status="solved")
    sms_post({"from": "0812345678", "text": "ยังไม่ได้ค่ะ", "id": "b"})
    ticket.refresh_from_db()
    assert ticket.status == "open" and Ticket.objects.count() == 1
    services.ticket_update(actor=agent, ticket=ticket, fields={"status": "solved"})
    ticket.refresh_from_db()
    Ticket.objects.update(solved_at=ticket.solved_at - dt.timedelta(days=8))
    sms_post({"from": "0812345678", "text": "อีกเรื่อง", "id": "c"})
    assert Ticket.objects.count() == 2
    assert sorted(Ticket.objects.values_list("status", flat=True)) == ["new", "solved"]
