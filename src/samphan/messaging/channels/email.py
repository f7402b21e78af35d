"""E-mail over SMTP, through Django's e-mail backend (host, port, STARTTLS or SSL and the
login from settings): a text part, an HTML part when there is one, the message's key as
its Message-ID, and for marketing the one-click unsubscribe headers of RFC 8058.

Over SMTP the message's bytes are written by ``mime`` and handed to the backend's open
connection (Python's ``email`` package would cost 3 ms a message); any other backend
(the console one in development) gets Django's ``EmailMessage``.
"""

import contextlib
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend

from samphan.messaging.channels import Outcome, mime
from samphan.messaging.links import unsubscribe_url
from samphan.messaging.models import Message


def message_id(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samphan.local"
    return f"<{message.key}@{domain}>"


def list_headers(message: Message) -> dict[str, str]:
    if message.purpose != "marketing":
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(message)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_of(message: Message) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(message), **list_headers(message)}
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=[message.to], headers=headers
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in attachments_of(message):
        email.attach(attachment.filename, attachment.content, attachment.content_type)
    return email


def attachments_of(message: Message) -> list[mime.Attachment]:
    """The files the message carries (prefetched by the outbox for a batch)."""
    return [
        mime.Attachment(item.filename, item.content_type, bytes(item.content))
        for item in message.attachments.all()
    ]


class EmailSender:
    """One SMTP connection for as many messages as come, opened again after an error."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None
        self.sender = mime.ascii_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
        self.from_header = mime.mailbox(settings.DEFAULT_FROM_EMAIL)

    def send(self, message: Message) -> Outcome:
        ref = message_id(message)
        try:
            raw = mime.email_bytes(
                from_header=self.from_header,
                to=message.to,
                subject=message.subject,
                text=message.text,
                html=message.html,
                message_id=ref,
                extra=list_headers(message).items(),
                attachments=attachments_of(message),
            )
        except mime.HeaderError as error:  # an address no SMTP server would take
            return Outcome.permanent(f"e-mail: {error}")
        try:
            if self.connection is None:
                self.connection = mailers.default
                self.connection.open()
            smtp = getattr(self.connection, "connection", None)
            if isinstance(smtp, smtplib.SMTP):
                smtp.sendmail(self.sender, [mime.ascii_address(message.to)], raw)
            else:
                self.connection.send_messages([email_of(message)])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return _by_code(code, reply)
        except smtplib.SMTPResponseException as error:  # sender or content refused
            self.close()
            return _by_code(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:  # no server, a dropped connection
            self.close()
            return Outcome.temporary(f"SMTP: {error}")
        return Outcome.sent(ref, delivered=True)

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _by_code(code: int, reply: bytes | str) -> Outcome:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    detail = f"SMTP {code} {text}"
    # 5xx is final (no such mailbox, refused); 4xx asks to try again later.
    return Outcome.permanent(detail) if 500 <= code < 600 else Outcome.temporary(detail)
