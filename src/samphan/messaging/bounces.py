"""Bounces that come back as mail: delivery status notifications (RFC 3464) a receiving
server sends after it took a message at SMTP and could not deliver it.

A notification names the original message by its Message-ID (which carries the message's
key) in the headers it returns, and each recipient's fate in its delivery-status part:
``Action: failed`` with a ``5.x.x`` status is a hard bounce (the message failed, the
address goes on the suppression list), ``failed`` with ``4.x.x`` is a soft one (gave up
after retrying: the message failed, the address stays), ``delayed`` changes nothing.

Only a notification about one of our messages, for the address that message went to,
changes anything: a forged one cannot suppress an address we did not write to.
"""

import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from email.message import Message as MimeMessage

from django.db import transaction

from samphan.messaging.consent import address_key
from samphan.messaging.models import Channel, Message, Suppression
from samphan.messaging.outbox import suppress

MAX_BYTES = 5_000_000  # a notification returns at most the original; ours are far smaller
_KEY = re.compile(r"<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>]*>", re.I)
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")


class BounceError(ValueError):
    """Why a notification was not read; says what was expected."""


@dataclass(frozen=True)
class Recipient:
    address: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # e.g. 5.1.1
    diagnostic: str = ""

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5.")

    @property
    def soft(self) -> bool:
        return self.action == "failed" and not self.hard


@dataclass
class Notification:
    key: uuid.UUID
    recipients: list[Recipient]


@dataclass
class BounceResult:
    message_id: int
    to: str
    outcome: str  # "bounced", "failed", else the action that changed nothing ("delayed" …)


def read_notification(raw: bytes) -> Notification:
    """The original message's key and each recipient's fate; ``BounceError`` when ``raw``
    is not a delivery status notification about a message of ours."""
    if len(raw) > MAX_BYTES:
        raise BounceError(f"A notification is at most {MAX_BYTES:,} bytes.")
    mail = email.message_from_bytes(raw, policy=email.policy.compat32)
    report_type = mail.get_param("report-type")
    if mail.get_content_type() != "multipart/report" or (
        not isinstance(report_type, str) or report_type.lower() != "delivery-status"
    ):
        raise BounceError(
            "Not a delivery status notification (multipart/report; report-type=delivery-status)."
        )
    parts = [part for part in mail.walk() if part is not mail]
    status = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    if status is None:
        raise BounceError("The notification has no message/delivery-status part.")
    key = _original_key(parts)
    if key is None:
        raise BounceError(
            "The notification does not return the original's Message-ID with a message key."
        )
    return Notification(key=key, recipients=_recipients(status))


def _original_key(parts: list[MimeMessage]) -> uuid.UUID | None:
    for part in parts:
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            message_id = ""
            if isinstance(original, MimeMessage):
                message_id = original.get("Message-ID", "")
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            headers = text if isinstance(text, bytes) else b""
            message_id = email.message_from_bytes(headers).get("Message-ID", "")
        else:
            continue
        found = _KEY.search(str(message_id))
        if found:
            return uuid.UUID(found.group(1))
    return None


def _recipients(status: MimeMessage) -> list[Recipient]:
    # The parser reads message/delivery-status as blocks of fields: the first is about
    # the whole message, each next one about a recipient.
    blocks = status.get_payload()
    if not isinstance(blocks, list):
        raise BounceError("The delivery-status part holds no fields.")
    recipients = []
    for block in blocks[1:]:
        if not isinstance(block, MimeMessage):
            continue
        final = _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
        address = final.partition(";")[2].strip() if ";" in final else final
        action = _field(block, "Action").lower()
        code = _field(block, "Status").split(" ")[0]
        if not address or not action or not _STATUS.match(code):
            raise BounceError(
                "Each recipient needs Final-Recipient, Action and a Status such as 5.1.1."
            )
        recipients.append(
            Recipient(address.strip("<>"), action, code, _field(block, "Diagnostic-Code"))
        )
    if not recipients:
        raise BounceError("The notification names no recipient.")
    return recipients


def _field(block: MimeMessage, name: str) -> str:
    return " ".join(str(block.get(name, "")).split())


@transaction.atomic
def bounce_record(raw: bytes) -> BounceResult:
    """Record what a notification says about the e-mail it returns: see the module's note.
    ``BounceError`` when it is not one, or not about a message of ours."""
    notification = read_notification(raw)
    message = (
        Message.objects.select_for_update()
        .filter(key=notification.key, channel=Channel.EMAIL)
        .first()
    )
    if message is None:
        raise BounceError(f"No e-mail of ours has the key {notification.key}.")
    to = address_key(Channel.EMAIL, message.to)
    mine = [r for r in notification.recipients if address_key(Channel.EMAIL, r.address) == to]
    if not mine:
        raise BounceError(f"The notification is not about {message.to}, whom the e-mail went to.")
    recipient = mine[0]
    detail = f"{recipient.status} {recipient.diagnostic}".strip()
    if not (recipient.hard or recipient.soft):
        return BounceResult(message.pk, message.to, recipient.action)
    word = "bounced" if recipient.hard else "not delivered"
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, delivered_at=None, error=f"{word}: {detail}"[:300]
    )
    if recipient.hard:
        suppress(
            channel=Channel.EMAIL,
            address=message.to,
            reason=Suppression.Reason.BOUNCED,
            detail=detail,
            customer_id=message.customer_id,
        )
    return BounceResult(message.pk, message.to, "bounced" if recipient.hard else "failed")
