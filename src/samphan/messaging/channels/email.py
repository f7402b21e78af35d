"""E-mail over SMTP, through Django's e-mail backend (host, port, STARTTLS or SSL and the
login from settings): a text part, an HTML part when there is one, the message's key as
its Message-ID, and for marketing the one-click unsubscribe headers of RFC 8058."""

import contextlib
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend

from samphan.messaging.channels import Outcome
from samphan.messaging.links import unsubscribe_url
from samphan.messaging.models import Message


def message_id(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samphan.local"
    return f"<{message.key}@{domain}>"


def email_of(message: Message) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(message)}
    if message.purpose == "marketing":
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(message)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=[message.to], headers=headers
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


class EmailSender:
    """One SMTP connection for as many messages as come, opened again after an error."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def send(self, message: Message) -> Outcome:
        email = email_of(message)
        try:
            if self.connection is None:
                self.connection = mailers.default
                self.connection.open()
            self.connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return _by_code(code, reply)
        except smtplib.SMTPResponseException as error:  # sender or content refused
            self.close()
            return _by_code(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:  # no server, a dropped connection
            self.close()
            return Outcome.temporary(f"SMTP: {error}")
        return Outcome.sent(message_id(message))

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
