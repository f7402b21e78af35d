"""Provider callbacks: LINE's webhook and inbound SMS, each checked by its signature."""

import base64
import hashlib
import hmac
import json

import pytest
from django.test import Client

from samphan.messaging.hooks import body_signature, twilio_signature
from samphan.messaging.models import LineAccount, Message, Suppression
from samphan.messaging.outbox import Outbox, RateLimits, message_queue

pytestmark = pytest.mark.django_db
USER = "U" + "b" * 32


def line_post(body: dict, secret: str = "line-secret", signature: str | None = None):
    raw = json.dumps(body).encode()
    if signature is None:
        digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
    return Client().post("/hooks/line/", raw, content_type="application/json",
                         headers={"X-Line-Signature": signature})  # fmt: skip


def event(kind: str, user: str = USER) -> dict:
    return {
        "destination": "Uxxxxxxxx",
        "events": [{
            "type": kind, "mode": "active", "timestamp": 1700000000000,
            "source": {"type": "user", "userId": user}, "webhookEventId": "01H",
            "deliveryContext": {"isRedelivery": False},
            **({"replyToken": "r", "follow": {"isUnblocked": False}} if kind == "follow" else {}),
        }],
    }  # fmt: skip


def test_follow_creates_the_account_and_unfollow_withdraws(line_api, reachable):
    assert line_post(event("follow")).status_code == 200
    account = LineAccount.objects.get(user_id=USER)
    assert account.following and account.customer is None
    account.customer = reachable
    account.save()
    assert line_post(event("unfollow")).status_code == 200
    account.refresh_from_db()
    assert not account.following and account.unfollowed_at
    assert Suppression.objects.get(channel="line", address=USER).reason == "unfollowed"
    latest = reachable.consents.filter(channel="line").order_by("-at", "-id")[0]
    assert latest.status == "withdrawn"
    # A queued push is not sent now; following again lifts the block.
    message = message_queue(customer=reachable, channel="line", purpose="service", to=USER,
                            text="สถานะคำสั่งซื้อ", idempotency_key="l1")  # fmt: skip
    Outbox(RateLimits({})).run()
    message.refresh_from_db()
    assert message.status == Message.Status.BLOCKED and line_api.requests == []
    line_post(event("follow"))
    assert not Suppression.objects.filter(channel="line").exists()


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_line_webhook_refuses_a_bad_signature(line_api, signature):
    response = line_post(event("follow"), signature=signature)
    assert response.status_code == 403
    assert "X-Line-Signature" in response.json()["detail"]
    assert not LineAccount.objects.exists()


def test_an_event_the_sdk_cannot_model_still_counts(line_api):
    body = event("follow")
    del body["events"][0]["follow"]  # as LINE sent it before the field existed
    assert line_post(body).status_code == 200
    assert LineAccount.objects.filter(user_id=USER, following=True).exists()


def test_line_webhook_refuses_another_secret(line_api):
    assert line_post(event("follow"), secret="other").status_code == 403


def test_line_webhook_without_configuration(settings):
    settings.SAMPHAN_LINE_CHANNEL_SECRET = ""
    assert line_post(event("follow")).status_code == 503


def sms_post(body: dict, secret: str = "inbound-secret"):
    raw = json.dumps(body).encode()
    return Client().post("/hooks/sms/", raw, content_type="application/json",
                         headers={"X-Samphan-Signature": body_signature(raw, secret)})  # fmt: skip


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "ยกเลิก"])
def test_sms_stop_withdraws_and_suppresses(sms_gateway, reachable, word):
    response = sms_post({"from": "081-234-5678", "text": word})
    assert response.status_code == 200 and response.json() == {"stopped": True}
    assert Suppression.objects.get(channel="sms", address="+66812345678").reason == "stop"
    latest = reachable.consents.filter(channel="sms").order_by("-at", "-id")[0]
    assert latest.status == "withdrawn" and latest.source == "reply"


def test_other_sms_replies_change_nothing(sms_gateway, reachable):
    assert sms_post({"from": "0812345678", "text": "ขอบคุณครับ"}).json() == {"stopped": False}
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("body", "secret", "status"),
    [
        ({"from": "0812345678", "text": "STOP"}, "wrong", 403),
        ({"from": "not a number", "text": "STOP"}, "inbound-secret", 400),
        ({"text": "STOP"}, "inbound-secret", 400),
    ],
)
def test_sms_inbound_bad_requests(sms_gateway, reachable, body, secret, status):
    assert sms_post(body, secret).status_code == status
    assert not Suppression.objects.exists()


def test_twilio_inbound_stop(sms_gateway, reachable, settings):
    settings.SAMPHAN_SMS_ADAPTER = "twilio"
    settings.SAMPHAN_SMS_SECRET = "twilio-token"
    form = {"From": "+66812345678", "Body": "STOP", "MessageSid": "SM1"}
    url = "http://127.0.0.1:8000/hooks/sms/"
    good = twilio_signature(url, form, "twilio-token")
    bad = Client().post("/hooks/sms/", form, headers={"X-Twilio-Signature": "x" + good})
    assert bad.status_code == 403 and not Suppression.objects.exists()
    response = Client().post("/hooks/sms/", form, headers={"X-Twilio-Signature": good})
    assert response.status_code == 200 and response.content == b"<Response/>"
    assert Suppression.objects.filter(channel="sms", address="+66812345678").exists()


def test_twilio_signature_matches_twilios_documented_example():
    """The example of Twilio's "Webhooks security" page."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}  # fmt: skip
    assert twilio_signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.mark.parametrize("body", [{"events": "x"}, {"nothing": []}, ["a"]])
def test_line_webhook_refuses_what_is_not_a_webhook(line_api, body):
    assert line_post(body).status_code == 400


def receipt(message: Message, body: dict, secret: str = "inbound-secret", key: str | None = None):
    raw = json.dumps(body).encode()
    return Client().post(f"/hooks/sms/status/?key={key or message.key}", raw,
                         content_type="application/json",
                         headers={"X-Samphan-Signature": body_signature(raw, secret)})  # fmt: skip


@pytest.fixture
def sent_sms(sms_gateway, reachable):
    message = message_queue(customer=reachable, channel="sms", purpose="service",
                            to="+66812345678", text="นัดหมายพรุ่งนี้ 10 โมง", idempotency_key="s1")  # fmt: skip
    Outbox(RateLimits({})).run()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.delivered_at is None
    return message


def test_a_delivery_receipt_marks_the_sms_delivered(sent_sms):
    assert receipt(sent_sms, {"status": "sent"}).status_code == 200  # not yet: nothing changes
    sent_sms.refresh_from_db()
    assert sent_sms.delivered_at is None
    assert receipt(sent_sms, {"status": "delivered"}).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.status == Message.Status.SENT and sent_sms.delivered_at


def test_a_failed_receipt_fails_the_sms_with_the_gateways_error(sent_sms):
    assert receipt(sent_sms, {"status": "undelivered", "error": "30003"}).status_code == 200
    sent_sms.refresh_from_db()
    assert (
        sent_sms.status == Message.Status.FAILED
        and sent_sms.error == "SMS receipt: undelivered 30003"
    )
    receipt(sent_sms, {"status": "delivered"})  # too late: a failed message stays failed
    sent_sms.refresh_from_db()
    assert sent_sms.delivered_at is None


@pytest.mark.parametrize(
    ("body", "secret", "key", "status"),
    [
        ({"status": "delivered"}, "wrong", None, 403),
        ({"status": "delivered"}, "inbound-secret", "not-a-key", 400),
        ({"status": "delivered"}, "inbound-secret", "6fa459ea-ee8a-3ca4-894e-db77e160355e", 404),
        ({"state": "delivered"}, "inbound-secret", None, 400),
        ({"status": 7}, "inbound-secret", None, 400),
    ],
)
def test_bad_receipts_are_refused_and_change_nothing(sent_sms, body, secret, key, status):
    response = receipt(sent_sms, body, secret, key)
    assert response.status_code == status and response.json()["detail"]
    sent_sms.refresh_from_db()
    assert sent_sms.status == Message.Status.SENT and sent_sms.delivered_at is None


def test_twilio_status_callback(sent_sms, settings):
    settings.SAMPHAN_SMS_ADAPTER = "twilio"
    settings.SAMPHAN_SMS_SECRET = "twilio-token"
    path = f"/hooks/sms/status/?key={sent_sms.key}"
    form = {"MessageSid": "SM42", "MessageStatus": "delivered", "AccountSid": "AC123"}
    good = twilio_signature("http://127.0.0.1:8000" + path, form, "twilio-token")
    forged = twilio_signature(
        "http://127.0.0.1:8000/hooks/sms/status/?key=other", form, "twilio-token"
    )
    assert Client().post(path, form, headers={"X-Twilio-Signature": forged}).status_code == 403
    assert Client().post(path, form, headers={"X-Twilio-Signature": good}).status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.delivered_at
