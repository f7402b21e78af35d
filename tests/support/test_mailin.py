"""Mail in: through a real IMAP server (Dovecot on loopback) polled as the worker does, and
through `samphan mail-in` reading real files. Threading by Message-ID and by the subject's
token, reopening, attachments kept or refused, and the mail that must never become a
ticket (automatic replies, bulk mail, our own mail, floods, bounces)."""

import imaplib
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.messaging.models import Message
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.support import mailin, services
from samphan.support.imap import imap_poll
from samphan.support.mailin import mail_receive
from samphan.support.models import Ticket, TicketAttachment, TicketMessage
from tests.messaging.test_bounces import notification, sent
from tests.support.imap_server import ImapServer

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def mail(
    text="กล่องพังมาค่ะ ขอเปลี่ยนได้ไหม",
    *,
    sender="Ann Lee <ann@example.com>",
    subject="สินค้าชำรุด",
    message_id="<first@mail.example.com>",
    headers=None,
    files=(),
) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "help@samphan.test"
    message["Subject"], message["Message-ID"] = subject, message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    for filename, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def agent(make_user):
    return make_user(Role.SUPPORT, username="agent")


@pytest.fixture(autouse=True)
def support_address(settings):
    settings.SAMPHAN_SUPPORT_EMAIL = "help@samphan.test"


def test_the_worker_reads_the_mailbox_by_imap_and_marks_what_it_recorded(settings, reachable):
    with ImapServer() as imap:
        imap.append(mail())
        imap.append(mail("Second question", sender="bob@example.com", message_id="<b@x>"))
        settings.SAMPHAN_IMAP_HOST, settings.SAMPHAN_IMAP_PORT = "127.0.0.1", imap.port
        settings.SAMPHAN_IMAP_SSL = False
        settings.SAMPHAN_IMAP_USER, settings.SAMPHAN_IMAP_PASSWORD = imap.user, imap.password

        assert imap_poll() == 2
        assert imap.count(criteria="UNSEEN") == 0 and imap.count(criteria="SEEN") == 2
        assert imap_poll() == 0  # nothing new: nothing read twice

    ann, bob = Ticket.objects.order_by("id")
    assert (ann.customer, ann.address, ann.requester) == (reachable, "ann@example.com", "Ann Lee")
    assert (ann.subject, ann.channel, ann.status) == ("สินค้าชำรุด", "email", "new")
    assert ann.messages.get().body == "กล่องพังมาค่ะ ขอเปลี่ยนได้ไหม"
    assert (bob.customer, bob.requester) == (None, "bob@example.com")


def test_a_wrong_imap_password_fails_the_round_and_leaves_the_mail(settings):
    with ImapServer() as imap:
        imap.append(mail())
        settings.SAMPHAN_IMAP_HOST, settings.SAMPHAN_IMAP_PORT = "127.0.0.1", imap.port
        settings.SAMPHAN_IMAP_SSL = False
        settings.SAMPHAN_IMAP_USER, settings.SAMPHAN_IMAP_PASSWORD = imap.user, "wrong"
        with pytest.raises(imaplib.IMAP4.error, match=r"(?i)auth"):
            imap_poll()
        assert imap.count(criteria="UNSEEN") == 1
    assert not Ticket.objects.exists()


def test_no_imap_host_reads_nothing(settings):
    settings.SAMPHAN_IMAP_HOST = ""
    assert imap_poll() == 0


def test_the_customers_answer_to_a_reply_continues_and_reopens_the_ticket(reachable, agent, smtp):
    ticket = Ticket.objects.get(pk=mail_receive(mail()).ticket_id)
    services.ticket_reply(actor=agent, ticket=ticket, body="ส่งของใหม่ให้แล้วค่ะ", status="solved")
    Outbox(RateLimits({})).run()
    (reply,) = smtp.messages

    answer = mail(
        "ยังไม่ได้รับของเลยค่ะ\n\nOn Mon, 7 Dec 2026, Shop wrote:\n> ส่งของใหม่ให้แล้วค่ะ",
        subject=reply["Subject"].replace("Re: ", "Re: Re: ", 1),
        message_id="<second@mail.example.com>",
        headers={"In-Reply-To": reply["Message-ID"], "References": reply["Message-ID"]},
    )
    result = mail_receive(answer)

    assert (result.outcome, result.ticket_id) == ("added", ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.solved_at is None  # reopened, still the agent's
    assert ticket.messages.last().body == "ยังไม่ได้รับของเลยค่ะ"  # the quote cut off


def test_the_subject_token_continues_a_ticket_only_for_mail_from_its_address(reachable):
    ticket_id = mail_receive(mail()).ticket_id
    same = mail_receive(mail("More", subject=f"Re: x [#{ticket_id}]", message_id="<m2@x>"))
    stranger = mail_receive(
        mail("Me too", subject=f"[#{ticket_id}]", sender="eve@example.com", message_id="<m3@x>")
    )
    assert (same.outcome, same.ticket_id) == ("added", ticket_id)
    assert stranger.outcome == "opened" and stranger.ticket_id != ticket_id
    assert Ticket.objects.get(pk=stranger.ticket_id).subject == "(no subject)"


def test_mail_to_a_ticket_closed_opens_a_new_one(reachable, agent):
    ticket = Ticket.objects.get(pk=mail_receive(mail()).ticket_id)
    services.ticket_update(actor=agent, ticket=ticket, fields={"status": "closed"})
    later = mail_receive(mail("Again", subject=f"Re: สินค้าชำรุด [#{ticket.pk}]", message_id="<n@x>"))
    assert later.outcome == "opened" and later.ticket_id != ticket.pk


def test_the_same_mail_twice_is_kept_once(tmp_path):
    raw = mail()
    assert mail_receive(raw).outcome == "opened"
    assert mail_receive(raw).outcome == "duplicate"
    no_id = mail(message_id="")
    assert mail_receive(no_id).outcome == "opened"  # an id made from its bytes
    assert mail_receive(no_id).outcome == "duplicate"
    assert TicketMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ({"Auto-Submitted": "auto-replied"}, "ann@example.com", "Auto-Submitted: auto-replied"),
        ({"Precedence": "bulk"}, "ann@example.com", "bulk mail (Precedence)"),
        ({"X-Autoreply": "yes"}, "ann@example.com", "automatic reply"),
        ({"List-Id": "<news.example.com>"}, "ann@example.com", "mailing list"),
        ({}, "Help <HELP@samphan.test>", "our own mail"),
        ({}, "not an address", "no sender address"),
    ],
)
def test_robots_and_our_own_mail_never_make_tickets(headers, sender, why):
    result = mail_receive(mail(headers=headers, sender=sender))
    assert (result.outcome, result.why) == ("ignored", why)
    assert not Ticket.objects.exists()


def test_a_sender_writing_too_often_is_stopped(monkeypatch):
    monkeypatch.setattr(mailin, "FLOOD", 3)
    outcomes = [mail_receive(mail(message_id=f"<{n}@x>")).outcome for n in range(5)]
    assert outcomes == ["opened", "opened", "opened", "ignored", "ignored"]


def test_a_bounce_goes_to_the_outbox_not_to_a_ticket(reachable, smtp):
    message, headers = sent(reachable, smtp)
    result = mail_receive(notification(headers))
    assert (result.outcome, result.why) == ("bounce", f"message {message.pk}: bounced")
    assert Message.objects.get(pk=message.pk).status == Message.Status.FAILED
    assert not Ticket.objects.exists()


def test_attachments_are_kept_or_listed_with_why(settings):
    settings.SAMPHAN_MAIL_ATTACHMENT_MAX = 1000
    files = [
        ("ใบเสร็จ.pdf", "application/pdf", PDF),
        ("setup.exe", "application/x-msdownload", b"MZ" + b"\0" * 10),
        ("big.jpg", "image/jpeg", b"\xff\xd8" + b"\0" * 2000),
        ("../../etc/passwd.txt", "text/plain", b"hello"),
    ]
    ticket_id = mail_receive(mail(files=files)).ticket_id
    kept = {a.filename: a for a in TicketAttachment.objects.filter(message__ticket=ticket_id)}
    assert set(kept) == {"ใบเสร็จ.pdf", "setup.exe", "big.jpg", "passwd.txt"}
    assert kept["ใบเสร็จ.pdf"].file.read() == PDF and kept["ใบเสร็จ.pdf"].size == len(PDF)
    assert (
        kept["setup.exe"].refused == "Files of this type are not kept (application/x-msdownload)."
    )
    assert kept["big.jpg"].refused == "Larger than 1000\xa0bytes." and not kept["big.jpg"].file
    assert kept["passwd.txt"].file.name.startswith("support/")


def test_a_mail_with_only_a_file_has_a_placeholder_text():
    ticket_id = mail_receive(mail("", files=[("a.pdf", "application/pdf", PDF)])).ticket_id
    assert TicketMessage.objects.get(ticket=ticket_id).body == "(files only)"


def test_html_only_and_encoded_thai_are_read():
    message = EmailMessage()
    message["From"], message["Subject"] = "ann@example.com", "=?utf-8?b?4Liq4Lin4Lix4Liq4LiU4Li1?="
    message["Message-ID"] = "<h@x>"
    message.set_content("<p>สวัสดีค่ะ<br>ขอสอบถาม</p>", subtype="html", cte="base64")
    ticket = Ticket.objects.get(pk=mail_receive(message.as_bytes()).ticket_id)
    assert ticket.subject == "สวัสดี"
    assert ticket.messages.get().body == "สวัสดีค่ะ\nขอสอบถาม"


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff garbage", b"From: \r\n\r\n", b"Subject: x\r\n\r\nhi"]
)
def test_garbage_is_ignored_not_crashed_on(raw):
    assert mail_receive(raw).outcome == "ignored"
    assert not Ticket.objects.exists()


def test_quoted_mail_is_cut_off():
    assert mailin.new_text("ได้รับแล้ว\n\nเมื่อ 7 ธ.ค. 2569 ร้าน เขียนว่า:\n> ส่งแล้ว") == "ได้รับแล้ว"
    assert mailin.new_text("Thanks\n> quoted\n> more") == "Thanks"
    assert mailin.new_text("> only a quote") == "> only a quote"


def test_the_command_reads_files(tmp_path, capsys):
    first, second = tmp_path / "1.eml", tmp_path / "2.eml"
    first.write_bytes(mail())
    second.write_bytes(mail(headers={"Auto-Submitted": "auto-replied"}, message_id="<o@x>"))
    call_command("mail-in", str(first), str(second))
    out = capsys.readouterr().out
    ticket = Ticket.objects.get()
    assert f"1.eml: opened #{ticket.pk}" in out
    assert "2.eml: ignored: Auto-Submitted: auto-replied" in out


def test_the_clock_starts_when_the_mail_arrives():
    now = timezone.now()  # on the defaults of a fresh install: Mon-Fri 09:00-18:00
    ticket = Ticket.objects.get(pk=mail_receive(mail(), now=now).ticket_id)
    assert ticket.created_at == now and ticket.first_response_due > now
