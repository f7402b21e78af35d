"""Bounces that come back as mail: an e-mail sent through the outbox to the SMTP server on
loopback, then the delivery status notification a receiving server writes about it (a
Postfix bounce, from a file), read by the service, the hook and the command."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samphan.messaging.bounces import BounceError, bounce_record, read_notification
from samphan.messaging.hooks import body_signature
from samphan.messaging.models import Message, Suppression
from samphan.messaging.outbox import Outbox, RateLimits, message_queue

pytestmark = pytest.mark.django_db

POSTFIX = (Path(__file__).parent / "data" / "postfix-bounce.eml").read_text()
UNKNOWN = "550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown"


def sent(customer, smtp, purpose="marketing"):
    """An e-mail given to the outbox and the worker's run, and the headers of the last
    e-mail the SMTP server received."""
    message = message_queue(
        customer=customer, channel="email", purpose=purpose, to="Ann@Example.com",
        idempotency_key=str(uuid.uuid4()), subject="โปรโมชั่น", text="สวัสดีค่ะ",
    )  # fmt: skip
    Outbox(RateLimits({})).run()
    # The header lines as the server received them, as a bounce returns them.
    raw = smtp.messages[-1].as_bytes().replace(b"\r\n", b"\n")
    headers = raw.split(b"\n\n", 1)[0].decode("ascii")
    message.refresh_from_db()
    return message, headers


def notification(headers, recipient="ann@example.com", action="failed", status="5.1.1",
                 diagnostic=UNKNOWN):  # fmt: skip
    text = POSTFIX.format(
        recipient=recipient, action=action, status=status, diagnostic=diagnostic,
        headers=headers,
    )  # fmt: skip
    return text.replace("\n", "\r\n").encode()


def test_a_hard_bounce_fails_the_email_and_suppresses_the_address(reachable, smtp):
    message, headers = sent(reachable, smtp)
    assert message.delivered_at is not None  # the SMTP server took it

    result = bounce_record(notification(headers))

    assert (result.message_id, result.outcome) == (message.pk, "bounced")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.delivered_at is None
    assert message.error == f"bounced: 5.1.1 smtp; {UNKNOWN}"
    entry = Suppression.objects.get(channel="email", address="ann@example.com")
    assert entry.reason == Suppression.Reason.BOUNCED and entry.customer_id == reachable.pk
    later, _ = sent(reachable, smtp, purpose="service")  # refused for any purpose now
    assert later.status == Message.Status.BLOCKED and len(smtp.messages) == 1


def test_the_whole_original_returned_as_message_rfc822(reachable, smtp):
    message, headers = sent(reachable, smtp)
    raw = notification(headers).replace(
        b"Content-Type: text/rfc822-headers", b"Content-Type: message/rfc822"
    )
    assert read_notification(raw).key == message.key
    assert bounce_record(raw).outcome == "bounced"


def test_a_soft_failure_fails_the_email_and_keeps_the_address(reachable, smtp):
    message, headers = sent(reachable, smtp)
    result = bounce_record(
        notification(headers, status="4.4.7", diagnostic="delivery time expired")
    )
    assert result.outcome == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error.startswith("not delivered: 4.4.7")
    assert not Suppression.objects.exists()


def test_a_delay_changes_nothing(reachable, smtp):
    message, headers = sent(reachable, smtp)
    raw = notification(headers, action="delayed", status="4.2.2", diagnostic="mailbox full")
    assert bounce_record(raw).outcome == "delayed"
    delivered = message.delivered_at
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.delivered_at == delivered
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda raw: raw.replace(b"multipart/report", b"multipart/mixed"), "not a delivery status"),
        (lambda raw: raw.replace(b"message/delivery-status", b"text/plain"), "no message/delivery-status"),
        (lambda raw: raw.replace(b"Message-ID: <", b"Message-ID: <x"), "Message-ID"),
        (lambda raw: raw.replace(b"Status: 5.1.1", b"Status: bounced"), "Status such as 5.1.1"),
        (lambda raw: raw.replace(b"ann@example.com", b"eve@example.com"), "not about ann@example.com"),
        (lambda raw: b"not a message at all", "not a delivery status"),
        (lambda raw: raw + b"x" * 5_000_000, "at most"),
    ],
)  # fmt: skip
def test_what_is_not_a_bounce_of_ours_is_refused_and_changes_nothing(
    reachable, smtp, change, words
):
    message, headers = sent(reachable, smtp)
    with pytest.raises(BounceError) as refused:
        bounce_record(change(notification(headers)))
    assert words.lower() in str(refused.value).lower()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and not Suppression.objects.exists()


def test_a_key_we_never_sent_is_refused(reachable, smtp):
    _, headers = sent(reachable, smtp)
    Message.objects.all().delete()
    with pytest.raises(BounceError, match="No e-mail of ours"):
        bounce_record(notification(headers))


def test_the_hook_takes_a_signed_notification(reachable, smtp, client, settings):
    settings.SAMPHAN_BOUNCE_SECRET = "bounce-secret"
    message, headers = sent(reachable, smtp)
    raw = notification(headers)

    def post(body, signature):
        return client.post("/hooks/email/bounce/", body, content_type="message/rfc822",
                           headers={"X-Samphan-Signature": signature})  # fmt: skip

    assert post(raw, "0" * 64).status_code == 403
    bad = post(b"hello", body_signature(b"hello", "bounce-secret"))
    assert bad.status_code == 400 and "delivery status" in bad.json()["detail"]
    assert Message.objects.get().status == Message.Status.SENT
    answer = post(raw, body_signature(raw, "bounce-secret"))
    assert answer.status_code == 200
    assert answer.json() == {"message": message.pk, "to": "ann@example.com", "outcome": "bounced"}
    settings.SAMPHAN_BOUNCE_SECRET = ""
    assert post(raw, body_signature(raw, "")).status_code == 503


def test_the_command_reads_files_and_stdin(reachable, smtp, tmp_path, monkeypatch):
    message, headers = sent(reachable, smtp)
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(notification(headers, action="delayed", status="4.2.2"))
    out = io.StringIO()
    call_command("bounce", str(bounce), stdout=out)
    assert out.getvalue().strip() == f"{bounce}: message {message.pk} to ann@example.com: delayed"

    stdin = io.TextIOWrapper(io.BytesIO(notification(headers)))
    monkeypatch.setattr("sys.stdin", stdin)
    out = io.StringIO()
    call_command("bounce", stdout=out)
    assert out.getvalue().strip().endswith("bounced")

    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"Subject: hello\r\n\r\nhi")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 not read"):
        call_command("bounce", str(junk), str(bounce), stdout=io.StringIO(), stderr=errors)
    assert "not a delivery status notification" in errors.getvalue().lower()
    with pytest.raises(CommandError, match=r"missing\.eml"):
        call_command("bounce", str(tmp_path / "missing.eml"))
