"""Mail to the support address becomes tickets: ``mail_receive`` takes one raw message, as
a mail server's pipe (``samphan mail-in``) or the worker's IMAP poll (``imap.py``) brings
it.

A mail continues the ticket it answers, found by the Message-IDs in its In-Reply-To and
References (every mail of a thread is kept with its id), else by ``[#123]`` in the
subject when it comes from that ticket's address; otherwise it opens a ticket. The same
mail brought twice (pipe and poll) is kept once.

What never becomes a ticket, so two robots cannot answer each other forever: automatic
replies and bulk mail (Auto-Submitted, Precedence, X-Autoreply, mailing-list headers),
our own mail coming back, a sender writing more than ``FLOOD`` mails an hour, and
bounces, which go to the outbox's bounce handling instead (``messaging.bounces``).
"""

import datetime as dt
import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from samphan.messaging.bounces import BounceError, bounce_record
from samphan.support import services
from samphan.support.attachments import Incoming
from samphan.support.models import Ticket, TicketMessage
from samphan.support.replies import TOKEN, customer_with, support_address

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 2**20  # a mail larger than this is refused whole
MAX_TEXT = 100_000  # characters of a mail's text kept
FLOOD = 20  # mails from one address in an hour past which more are dropped
MESSAGE_ID = re.compile(r"<[^<>\s]{1,290}>")
BULK = {"bulk", "junk", "list", "auto_reply"}
# Where a quoted earlier message starts: "On Mon, 1 Jun 2026, Ann wrote:", Thai Gmail's
# "เมื่อ … เขียนว่า:", Outlook's "-----Original Message-----" or its rule of underscores.
QUOTE_START = re.compile(
    r"^(On .{1,200} wrote:|เมื่อ .{1,200}เขียนว่า:|-{2,} ?Original Message ?-{2,}|_{20,})\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class MailResult:
    outcome: str  # "opened", "added", "duplicate", "ignored", "bounce"
    ticket_id: int | None = None
    why: str = ""

    def __str__(self) -> str:
        ticket = f" #{self.ticket_id}" if self.ticket_id else ""
        return f"{self.outcome}{ticket}{': ' + self.why if self.why else ''}"


def mail_receive(raw: bytes, now: dt.datetime | None = None) -> MailResult:
    """Read one mail and record it; never raises on what the mail holds."""
    now = now or timezone.now()
    if len(raw) > MAX_BYTES:
        return MailResult("ignored", why=f"larger than {MAX_BYTES} bytes")
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(mail, EmailMessage):  # the default policy always gives one
        return MailResult("ignored", why="not a mail")
    name, sender = _sender(mail)
    robot = _robot(mail, sender)
    if robot == "bounce":
        return _bounce(raw)
    if robot:
        return MailResult("ignored", why=robot)
    mail_id = _mail_id(mail, raw)
    if TicketMessage.with_external_id(mail_id).exists():
        return MailResult("duplicate", why=mail_id)
    if _flooding(sender, now):
        return MailResult("ignored", why=f"more than {FLOOD} mails from {sender} this hour")
    subject = _header(mail, "Subject")[:200]
    text, files = _content(mail)
    if not text and files:
        text = _("(files only)")
    if not text:
        return MailResult("ignored", why="no text")
    try:
        with transaction.atomic():
            return _record(mail, mail_id, name, sender, subject, text, files, now)
    except IntegrityError:  # the same mail recorded meanwhile by the other way in
        return MailResult("duplicate", why=mail_id)
    except ValidationError as error:
        return MailResult("ignored", why="; ".join(error.messages))


def _record(
    mail: EmailMessage,
    mail_id: str,
    name: str,
    sender: str,
    subject: str,
    text: str,
    files: list[Incoming],
    now: dt.datetime,
) -> MailResult:
    ticket = _thread_of(mail, subject, sender)
    if ticket is not None and services.reopens(ticket, now):
        services.ticket_customer_wrote(
            ticket=ticket, body=text, channel=Ticket.Channel.EMAIL, external_id=mail_id,
            files=files, now=now,
        )  # fmt: skip
        return MailResult("added", ticket.pk)
    ticket = services.ticket_open(
        actor=None,
        subject=TOKEN.sub("", subject).strip() or _("(no subject)"),
        body=text,
        channel=Ticket.Channel.EMAIL,
        address=sender,
        requester=name or sender,
        external_id=mail_id,
        files=files,
        now=now,
    )
    return MailResult("opened", ticket.pk)


def _header(mail: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(mail.get(name, "")).split())
    except (ValueError, TypeError, IndexError):  # a header the parser cannot decode
        return ""


def _sender(mail: EmailMessage) -> tuple[str, str]:
    name, address = parseaddr(_header(mail, "From"))
    return name.strip()[:200], address.strip().lower()[:320]


def _robot(mail: EmailMessage, sender: str) -> str:
    """Why this mail is no person writing (empty: it is one)."""
    content_type = mail.get_content_type()
    local = sender.partition("@")[0]
    if content_type == "multipart/report" or local in ("mailer-daemon", "postmaster"):
        return "bounce"
    if not sender or "@" not in sender:
        return "no sender address"
    ours = {support_address().lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if sender in ours:
        return "our own mail"
    auto = _header(mail, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if _header(mail, "Precedence").lower() in BULK:
        return "bulk mail (Precedence)"
    if mail.get("X-Autoreply") or mail.get("X-Autorespond"):
        return "automatic reply"
    if mail.get("List-Id") or mail.get("List-Unsubscribe"):
        return "mailing list"
    return ""


def _bounce(raw: bytes) -> MailResult:
    try:
        result = bounce_record(raw)
    except BounceError as error:
        return MailResult("ignored", why=f"bounce: {error}")
    return MailResult("bounce", why=f"message {result.message_id}: {result.outcome}")


def _mail_id(mail: EmailMessage, raw: bytes) -> str:
    found = MESSAGE_ID.search(_header(mail, "Message-ID"))
    if found:
        return found[0]
    return f"<{hashlib.sha256(raw).hexdigest()}@mail-in.samphan>"  # the same mail, the same id


def _flooding(sender: str, now: dt.datetime) -> bool:
    recent = TicketMessage.objects.filter(
        kind=TicketMessage.Kind.IN,
        channel=Ticket.Channel.EMAIL,
        ticket__address=sender,
        created_at__gt=now - dt.timedelta(hours=1),
    )
    return recent[:FLOOD].count() >= FLOOD


def _thread_of(mail: EmailMessage, subject: str, sender: str) -> Ticket | None:
    ids = MESSAGE_ID.findall(_header(mail, "In-Reply-To") + " " + _header(mail, "References"))
    if ids:
        answered = (
            TicketMessage.with_external_id(*ids[-50:])
            .select_related("ticket")
            .order_by("-created_at", "-id")
            .first()
        )
        if answered is not None:
            return answered.ticket
    token = TOKEN.search(subject)
    if token is None:
        return None
    ticket = Ticket.objects.filter(pk=int(token[1])).select_related("customer").first()
    if ticket is None:
        return None
    # The number alone is guessable: it names the ticket only for mail from its address.
    if ticket.address.lower() == sender:
        return ticket
    known = customer_with(Ticket.Channel.EMAIL, sender)
    return ticket if known is not None and known.pk == ticket.customer_id else None


def _content(mail: EmailMessage) -> tuple[str, list[Incoming]]:
    """The mail's new text (plain, else its HTML as text; quoted earlier mail cut off)
    and its attached files."""
    body = mail.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            text = body.get_content()
        except (LookupError, ValueError, AttributeError):  # an unknown charset, a bad part
            text = body.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
        if body.get_content_type() == "text/html":
            text = strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text))
    files = []
    for part in mail.iter_attachments():
        if not isinstance(part, EmailMessage) or part.is_multipart():
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            files.append(Incoming(part.get_filename() or "file", part.get_content_type(), content))
    return new_text(text)[:MAX_TEXT], files


def new_text(text: str) -> str:
    """What the customer wrote now: the text before the quote of the earlier mail, and
    without the trailing "> " lines (all of it when that would leave nothing)."""
    text = text.replace("\r\n", "\n")
    start = QUOTE_START.search(text)
    head = text[: start.start()] if start else text
    lines = head.rstrip().split("\n")
    while lines and lines[-1].startswith(">"):
        lines.pop()
    new = "\n".join(lines).strip()
    return new or text.strip()
