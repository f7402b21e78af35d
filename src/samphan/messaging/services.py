"""What staff, customers and providers do to the messages: staff writing to a customer;
unsubscribing by link, the preference page, STOP replies, LINE follows and unfollows; and
staff linking a LINE account."""

import uuid
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import OPT_IN_PURPOSES, ConsentRecord, ContactPoint, Customer
from samphan.customers.services import consent_record
from samphan.messaging.consent import GRANTED, MARKETING, PURPOSES, WITHDRAWN, route
from samphan.messaging.inbound import Inbound, inbound_tell
from samphan.messaging.models import Channel, LineAccount, Message, Suppression
from samphan.messaging.outbox import message_queue_or_get, suppress

# Replies that mean "no more messages" (Thai: ยกเลิก, cancel; หยุด, stop).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ยกเลิก", "หยุด"}
# What a customer may undo themselves by consenting again; a bounce or an invalid number
# stays until the address changes.
CUSTOMER_SAID = [Suppression.Reason.UNSUBSCRIBED, Suppression.Reason.STOP]


class Queued(NamedTuple):
    message: Message
    new: bool  # False: the idempotency key was queued before, and this is that message


def message_send(
    *,
    actor: User | None,
    customer: Customer,
    channel: str | None,
    purpose: str,
    subject: str,
    text: str,
    idempotency_key: str,
) -> Queued:
    """Queue a message from staff to one customer: on ``channel``, or (None) on their
    preferred channel that consent allows, else the next allowed one; a ``ValidationError``
    on ``channel`` says why none may, on ``subject`` that an e-mail needs one. The subject
    is kept for e-mail only. The outbox sends it, checking consent again at hand-off."""
    found = route(customer, purpose, channel)
    if not found:
        raise ValidationError({"channel": found.reason})
    if found.channel == Channel.EMAIL and not subject.strip():
        raise ValidationError({"subject": _("An e-mail needs a subject.")})
    with transaction.atomic():
        message, new = message_queue_or_get(
            customer=customer,
            channel=found.channel,
            purpose=purpose,
            to=found.to,
            subject=subject if found.channel == Channel.EMAIL else "",
            text=text,
            idempotency_key=idempotency_key,
            actor=actor,
        )
    return Queued(message, new)


def _latest(customer_id: int, channel: str, purpose: str) -> str | None:
    return (
        ConsentRecord.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
        .order_by("-at", "-id")
        .values_list("status", flat=True)
        .first()
    )


@transaction.atomic
def unsubscribe(message: Message) -> bool:
    """One-click unsubscribe from marketing on the message's channel: the consent is
    withdrawn (for every message not yet sent) and the address suppressed. False when it
    had been done already (a link used twice changes nothing)."""
    customer = message.customer
    already = _latest(customer.pk, message.channel, MARKETING) == WITHDRAWN
    if not already:
        consent_record(
            actor=None,
            customer=customer,
            channel=message.channel,
            status=WITHDRAWN,
            source=ConsentRecord.Source.UNSUBSCRIBE,
            purpose=MARKETING,
        )
    suppress(
        channel=message.channel,
        address=message.to,
        reason=Suppression.Reason.UNSUBSCRIBED,
        purpose=MARKETING,
        customer_id=customer.pk,
    )
    return not already


PREFERENCE_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.LINE]


def preferences_of(customer: Customer) -> dict[tuple[str, str], bool]:
    """Whether each (channel, purpose) may be used now, as the preference page shows it:
    an opt-in purpose (marketing) only when granted, any other unless withdrawn."""
    latest: dict[tuple[str, str], str] = {}
    for channel, purpose, status in customer.consents.order_by("-at", "-id").values_list(
        "channel", "purpose", "status"
    ):
        latest.setdefault((channel, purpose), status)
    return {
        (channel, purpose): (
            latest.get((channel, purpose)) == GRANTED
            if purpose in OPT_IN_PURPOSES
            else latest.get((channel, purpose)) != WITHDRAWN
        )
        for channel in PREFERENCE_CHANNELS
        for purpose in PURPOSES
    }


@transaction.atomic
def preferences_save(customer: Customer, wanted: dict[tuple[str, str], bool]) -> int:
    """Record what the customer changed on the preference page; how many changes. Saying
    yes again lifts their own unsubscribe or STOP on that channel."""
    changes = 0
    for key, now_on in preferences_of(customer).items():
        if key not in wanted or wanted[key] == now_on:
            continue
        channel, purpose = key
        consent_record(
            actor=None,
            customer=customer,
            channel=channel,
            status=GRANTED if wanted[key] else WITHDRAWN,
            source=ConsentRecord.Source.PREFERENCES,
            purpose=purpose,
        )
        if wanted[key]:
            Suppression.objects.filter(
                channel=channel,
                customer_id=customer.pk,
                purpose__in=["", purpose],
                reason__in=CUSTOMER_SAID,
            ).delete()
        changes += 1
    return changes


def is_stop(text: str) -> bool:
    return text.strip().upper().rstrip(".!") in STOP_WORDS


@transaction.atomic
def sms_stop(number: str) -> int:
    """A STOP reply: the number is suppressed for every message, and each customer with it
    has SMS marketing withdrawn. How many customers."""
    suppress(channel=Channel.SMS, address=number, reason=Suppression.Reason.STOP)
    customers = Customer.objects.filter(
        contact_points__kind=ContactPoint.Kind.MOBILE, contact_points__value=number
    ).distinct()
    for customer in customers:
        if _latest(customer.pk, Channel.SMS, MARKETING) != WITHDRAWN:
            consent_record(
                actor=None,
                customer=customer,
                channel=Channel.SMS,
                status=WITHDRAWN,
                source=ConsentRecord.Source.REPLY,
                purpose=MARKETING,
            )
    return len(customers)


def sms_receipt(key: uuid.UUID, status: str, error: str = "") -> bool:
    """A gateway's delivery receipt: "delivered" marks the SMS delivered; "undelivered" or
    "failed" marks it failed with the gateway's error; anything else (queued, sending …)
    changes nothing. False when no SMS has this key."""
    messages = Message.objects.filter(key=key, channel=Channel.SMS)
    awaiting = messages.filter(status=Message.Status.SENT, delivered_at=None)
    if status == "delivered":
        awaiting.update(delivered_at=timezone.now())
    elif status in ("undelivered", "failed"):
        detail = f"SMS receipt: {status} {error}".strip()  # as the providers' own errors are
        awaiting.update(status=Message.Status.FAILED, error=detail[:300])
    return messages.exists()


@transaction.atomic
def line_followed(user_id: str) -> LineAccount:
    account, created = LineAccount.objects.get_or_create(user_id=user_id)
    if not created:
        account.following, account.followed_at, account.unfollowed_at = True, timezone.now(), None
        account.save(update_fields=["following", "followed_at", "unfollowed_at"])
    Suppression.objects.filter(
        channel=Channel.LINE, address=user_id, reason=Suppression.Reason.UNFOLLOWED
    ).delete()
    return account


# What a LINE message that is not text reads as on a ticket.
LINE_KINDS = {
    "image": "[รูปภาพ / image]",
    "video": "[วิดีโอ / video]",
    "audio": "[เสียง / audio]",
    "file": "[ไฟล์ / file]",
    "location": "[ตำแหน่ง / location]",
    "sticker": "[สติกเกอร์ / sticker]",
}


def line_message(user_id: str, message: dict[str, Any]) -> None:
    """A message a LINE user sent the Official Account: its account is known from now on
    (a message comes only from a friend), and the listeners hear it (support)."""
    LineAccount.objects.get_or_create(user_id=user_id)
    kind = str(message.get("type", ""))
    text = message.get("text") if kind == "text" else LINE_KINDS.get(kind, f"[{kind[:20]}]")
    if not isinstance(text, str) or not text.strip():
        return
    ref = f"line:{message['id']}"[:300] if isinstance(message.get("id"), str | int) else ""
    inbound_tell(Inbound(Channel.LINE, user_id, text[:5000], ref))


@transaction.atomic
def line_unfollowed(user_id: str) -> LineAccount:
    """Unfollowing blocks every message to the account and withdraws the linked
    customer's LINE marketing consent."""
    account, _ = LineAccount.objects.get_or_create(user_id=user_id)
    account.following, account.unfollowed_at = False, timezone.now()
    account.save(update_fields=["following", "unfollowed_at"])
    suppress(
        channel=Channel.LINE,
        address=user_id,
        reason=Suppression.Reason.UNFOLLOWED,
        customer_id=account.customer_id,
    )
    customer = account.customer
    if customer is not None and _latest(customer.pk, Channel.LINE, MARKETING) != WITHDRAWN:
        consent_record(
            actor=None,
            customer=customer,
            channel=Channel.LINE,
            status=WITHDRAWN,
            source=ConsentRecord.Source.REPLY,
            purpose=MARKETING,
        )
    return account


@transaction.atomic
def line_link(
    *, actor: User | None, account: LineAccount, customer: Customer | None
) -> LineAccount:
    """Say which customer a LINE account is (None: not linked). Changes it only if it is
    still linked as when the caller was authorised for it (``messaging.access``): one
    re-linked meanwhile is refused, naming ``customer_id``, and nothing changes."""
    before = account.customer_id
    still = LineAccount.objects.filter(pk=account.pk)
    still = still.filter(customer=None) if before is None else still.filter(customer_id=before)
    if not still.update(customer=customer):
        raise ValidationError(
            {"customer_id": _("This LINE account was linked by someone else meanwhile.")}
        )
    account.customer = customer
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=account,
        customer_id=customer.pk if customer else before,
        changes={"customer": [before, customer.pk if customer else None]},
    )
    return account
