"""E-mail over SMTP, through Django's e-mail backend (host, port, STARTTLS or SSL and the
login from settings): a text part, an HTML part when there is one, the message's key as
its Message-ID, and for marketing the one-click unsubscribe headers of RFC 8058. The
shop's profile (``core.shop``) names the sender and signs a footer with the link to the
customer's preferences.

Over SMTP the message's bytes are written by ``mime`` and handed to the backend's open
connection (Python's ``email`` package would cost more than the rest of the hand-off: see
``mime``); any other backend (the console one in development) gets Django's
``EmailMessage``.
"""

import contextlib
import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from samphan.core.shop import Shop, shop_profile
from samphan.core.thai import has_thai
from samphan.messaging.channels import mime
from samphan.messaging.channels.base import Outcome
from samphan.messaging.links import preferences_url, unsubscribe_url
from samphan.messaging.models import Message


def sender_name_and_address() -> tuple[str, str]:
    """DEFAULT_FROM_EMAIL's address, under the shop's name once an admin has saved it
    (until then DEFAULT_FROM_EMAIL as it is)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    shop = shop_profile()
    return (shop.name if shop.saved else name), address


def footer_of(message: Message, shop: Shop) -> tuple[str, str]:
    """Who sends the e-mail (the shop's name and address) and where the customer chooses
    what we may send them, as text and as HTML, in the message's language (Thai when it
    has Thai letters)."""
    language = "th" if has_thai(message.text) else "en"
    with translation.override(language):
        label = _("Choose what we may send you, on every channel")
    lines = [shop.name_in(language), *shop.address.splitlines()]
    url = preferences_url(message.customer_id)
    text = "\n\n-- \n" + "\n".join(lines) + f"\n{label}: {url}"
    html = (
        '<hr><p style="color:#667085;font-size:12px">'
        + "<br>".join(escape(line) for line in lines)
        + f'<br><a href="{escape(url)}">{escape(label)}</a></p>'
    )
    return text, html


def message_id(message: Message) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samphan.local"
    return f"<{message.key}@{domain}>"


def extra_headers(message: Message) -> dict[str, str]:
    """The message's own headers (a ticket reply's threading), and for marketing the
    one-click unsubscribe."""
    if message.purpose != "marketing":
        return dict(message.headers)
    return {
        **message.headers,
        "List-Unsubscribe": f"<{unsubscribe_url(message)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_of(message: Message) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(message), **extra_headers(message)}
    footer_text, footer_html = footer_of(message, shop_profile())
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text + footer_text,
        from_email=formataddr(sender_name_and_address()),
        to=[message.to],
        headers=headers,
    )
    if message.html:
        email.attach_alternative(message.html + footer_html, "text/html")
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

    def send(self, message: Message) -> Outcome:
        ref = message_id(message)
        footer_text, footer_html = footer_of(message, shop_profile())
        try:
            raw = mime.email_bytes(
                from_header=mime.mailbox_of(*sender_name_and_address()),
                to=message.to,
                subject=message.subject,
                text=message.text + footer_text,
                html=message.html + footer_html if message.html else "",
                message_id=ref,
                extra=extra_headers(message).items(),
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
