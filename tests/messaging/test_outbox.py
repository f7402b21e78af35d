"""The outbox against real servers on loopback: what arrives, retries, failures, consent
at hand-off, rate limits."""

import base64
import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from samphan.messaging.channels.sms import Length, sms_length
from samphan.messaging.models import Message, Suppression, message_key
from samphan.messaging.outbox import Draft, Outbox, RateLimits, message_queue, messages_queue_many
from tests.messaging.conftest import grant, smtp_mailers

pytestmark = pytest.mark.django_db


def queue(customer, channel="email", purpose="marketing", to="ann@example.com", key=None, **kwargs):
    kwargs.setdefault("subject", "โปรโมชั่นเดือนนี้ ลด 20%")
    kwargs.setdefault("text", "สวัสดีค่ะ คุณแอน\nรับส่วนลด 20% ทุกรายการ")
    return message_queue(
        customer=customer, channel=channel, purpose=purpose, to=to,
        idempotency_key=key or str(uuid.uuid4()), **kwargs,
    )  # fmt: skip


def run() -> int:
    return Outbox(RateLimits({})).run()


def test_email_arrives_with_thai_text_and_one_click_unsubscribe(reachable, smtp):
    message = queue(reachable, html="<p>สวัสดีค่ะ <b>คุณแอน</b></p>")
    assert run() == 1
    (received,) = smtp.messages
    assert received["Subject"] == "โปรโมชั่นเดือนนี้ ลด 20%"
    assert received["To"] == "ann@example.com"
    assert received["Message-ID"] == f"<{message.key}@samphan.test>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/p/unsubscribe/")
    assert received.get_body(("plain",)).get_content().startswith("สวัสดีค่ะ คุณแอน")
    assert "<b>คุณแอน</b>" in received.get_body(("html",)).get_content()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at and message.attempts == 1
    assert message.delivered_at == message.sent_at  # the SMTP server took it


def test_a_thai_domain_goes_as_idna(reachable, smtp):
    queue(reachable, to="ann@ไทย.com")
    assert run() == 1
    assert smtp.messages[0]["To"] == "ann@xn--o3cw4h.com"


def test_other_backends_get_djangos_email_message(reachable, settings):
    # The console backend in development prints what the SMTP path would send.
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    message = queue(reachable, html="<p>สวัสดีค่ะ</p>")
    assert run() == 1
    (sent,) = mail.outbox
    assert sent.subject == "โปรโมชั่นเดือนนี้ ลด 20%" and sent.to == ["ann@example.com"]
    assert sent.extra_headers["Message-ID"] == f"<{message.key}@localhost>"
    assert "List-Unsubscribe" in sent.extra_headers


def test_service_email_has_no_unsubscribe_header(reachable, smtp):
    queue(reachable, purpose="service")
    run()
    assert "List-Unsubscribe" not in smtp.messages[0]


def test_the_same_key_queues_once(reachable, smtp):
    first = queue(reachable, key="order-42-confirmation")
    again = queue(reachable, key="order-42-confirmation", text="something else")
    assert again.pk == first.pk and Message.objects.count() == 1
    run()
    assert len(smtp.messages) == 1


def test_a_hard_bounce_fails_the_message_and_suppresses_the_address(reachable, smtp):
    smtp.refuse["ann@example.com"] = "550 5.1.1 No such user"
    message = queue(reachable)
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "550" in message.error
    entry = Suppression.objects.get(channel="email", address="ann@example.com")
    assert entry.reason == Suppression.Reason.BOUNCED and entry.purpose == ""
    later = queue(reachable, purpose="service")  # the address is suppressed for any purpose
    run()
    later.refresh_from_db()
    assert later.status == Message.Status.BLOCKED and "suppression" in later.error
    assert smtp.messages == []


def test_a_temporary_refusal_is_tried_again_later_with_backoff(reachable, smtp, settings):
    smtp.refuse["ann@example.com"] = "451 4.7.1 Try again later"
    message = queue(reachable)
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    first_wait = message.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=20) < first_wait < dt.timedelta(seconds=40)
    assert run() == 0  # not due yet
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    run()
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - timezone.now() > dt.timedelta(seconds=45)  # doubled
    del smtp.refuse["ann@example.com"]
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and len(smtp.messages) == 1


def test_temporary_failures_give_up_after_the_last_attempt(reachable, smtp, settings):
    settings.SAMPHAN_OUTBOX_MAX_ATTEMPTS = 2
    smtp.refuse["ann@example.com"] = "451 Try again later"
    message = queue(reachable)
    run()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.error.startswith("2 × SMTP 451")


def test_no_smtp_server_is_a_temporary_failure(reachable, settings):
    settings.MAILERS = smtp_mailers(9)  # nothing listens there
    message = queue(reachable)
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and "SMTP" in message.error


def test_sms_through_the_json_gateway(reachable, sms_gateway):
    message = queue(reachable, channel="sms", to="+66812345678", subject="")
    assert run() == 1
    (request,) = sms_gateway.requests
    assert request.path == "/sms"
    assert request.headers["idempotency-key"] == str(message.key)
    assert request.headers["authorization"] == "Bearer gateway-token"
    assert request.json() == {
        "to": "+66812345678",
        "text": "สวัสดีค่ะ คุณแอน\nรับส่วนลด 20% ทุกรายการ",
        "sender": "Samphan",
        "reference": str(message.key),
        "status_url": f"http://127.0.0.1:8000/hooks/sms/status/?key={message.key}",
    }
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider_ref == "ok"
    assert message.delivered_at is None  # until the gateway's receipt says so


def test_sms_through_twilio(reachable, sms_gateway, settings):
    settings.SAMPHAN_SMS_ADAPTER = "twilio"
    settings.SAMPHAN_SMS_URL = sms_gateway.url
    settings.SAMPHAN_SMS_KEY, settings.SAMPHAN_SMS_SECRET = "AC123", "twilio-token"
    sms_gateway.answer = lambda request: (201, {"sid": "SM42"})
    message = queue(reachable, channel="sms", to="+66812345678", subject="", text="Hello")
    run()
    (request,) = sms_gateway.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.form() == {
        "To": "+66812345678", "From": "Samphan", "Body": "Hello",
        "StatusCallback": f"http://127.0.0.1:8000/hooks/sms/status/?key={message.key}",
    }  # fmt: skip
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(b"AC123:twilio-token").decode()
    )
    assert request.headers["idempotency-key"] == str(message.key)
    message.refresh_from_db()
    assert message.provider_ref == "SM42"


@pytest.mark.parametrize(
    ("status", "outcome", "suppressed"),
    [(500, "queued", False), (429, "queued", False), (400, "failed", True)],
)
def test_sms_gateway_errors(reachable, sms_gateway, status, outcome, suppressed):
    sms_gateway.answer = lambda request: (status, {"error": "no"})
    message = queue(reachable, channel="sms", to="+66812345678", subject="")
    run()
    message.refresh_from_db()
    assert message.status == outcome and f"HTTP {status}" in message.error
    assert Suppression.objects.filter(channel="sms").exists() is suppressed


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # an extended character takes two septets
        ("ก" * 70, "UCS-2", 70, 1),
        ("ก" * 71, "UCS-2", 71, 2),
        ("ก" * 134, "UCS-2", 134, 2),
        ("ก" * 135, "UCS-2", 135, 3),
        ("สวัสดีครับ", "UCS-2", 10, 1),  # marks count: each is a character
        ("Hi 😀", "UCS-2", 5, 1),  # an emoji is two UTF-16 units
    ],
)
def test_sms_length(text, encoding, units, segments):
    assert sms_length(text) == Length(encoding, units, segments)


def test_line_push_as_line_documents_it(reachable, line_api):
    message = queue(reachable, channel="line", to="U" + "a" * 32, subject="", text="สวัสดีค่ะ")
    assert run() == 1
    (request,) = line_api.requests
    assert request.path == "/v2/bot/message/push"
    assert request.headers["authorization"] == "Bearer line-token"
    assert request.headers["x-line-retry-key"] == str(message.key)
    body = request.json()
    assert body["to"] == "U" + "a" * 32
    assert body["messages"] == [{"type": "text", "text": "สวัสดีค่ะ"}]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


@pytest.mark.parametrize(
    ("status", "outcome"), [(409, "sent"), (429, "queued"), (500, "queued"), (400, "failed")]
)
def test_line_answers(reachable, line_api, status, outcome):
    line_api.answer = lambda request: (status, {"message": "x"})
    message = queue(reachable, channel="line", to="U" + "a" * 32, subject="", text="hi")
    run()
    message.refresh_from_db()
    assert message.status == outcome


def test_consent_is_checked_at_hand_off(reachable, smtp):
    """Queued while consent was given, withdrawn before the worker came: not sent."""
    message = queue(reachable)
    grant(reachable, "email", status="withdrawn")
    run()
    message.refresh_from_db()
    assert message.status == Message.Status.BLOCKED
    assert "No consent to marketing" in message.error or "ไม่ได้รับความยินยอม" in message.error
    assert smtp.messages == []


def test_service_messages_need_no_grant_but_stop_when_withdrawn(reachable, smtp):
    queue(reachable, purpose="service")
    run()
    assert len(smtp.messages) == 1
    grant(reachable, "email", purpose="service", status="withdrawn")
    blocked = queue(reachable, purpose="service")
    run()
    blocked.refresh_from_db()
    assert blocked.status == Message.Status.BLOCKED and len(smtp.messages) == 1


def test_rate_limit_spaces_hand_offs(reachable, smtp):
    for _ in range(5):
        queue(reachable, purpose="service")
    limits = RateLimits({"email": 20})  # one every 50 ms
    started = timezone.now()
    Outbox(limits).run()
    assert len(smtp.messages) == 5
    assert timezone.now() - started >= dt.timedelta(milliseconds=190)


def test_queue_many_skips_known_keys(reachable):
    drafts = [
        Draft(reachable.pk, "email", "marketing", "ann@example.com", f"text {n}", f"k{n}", "s")
        for n in range(3)
    ]
    assert messages_queue_many(drafts) == 3
    assert messages_queue_many([*drafts[1:], drafts[0]._replace(idempotency_key="k9")]) == 1
    assert Message.objects.filter(key=message_key("k9")).exists()


def test_bad_input_is_refused_and_nothing_written(reachable):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        queue(reachable, text="", subject="")
    assert "text" in error.value.message_dict
    assert not Message.objects.exists()
    json.dumps(error.value.message_dict)
