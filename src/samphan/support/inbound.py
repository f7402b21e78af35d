"""LINE and SMS messages become tickets: a message continues its sender's latest ticket on
that channel while it is open or solved within ``services.REOPEN_DAYS``, else it opens one.
Registered with messaging's webhooks (``messaging.inbound``) in ``apps.py``."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from samphan.messaging.inbound import Inbound
from samphan.support import services
from samphan.support.models import Ticket, TicketMessage

SUBJECT_CHARS = 80


def message_in(inbound: Inbound) -> Ticket | None:
    """The ticket the message went to (None: the same message came before)."""
    if inbound.ref and TicketMessage.with_external_id(inbound.ref).exists():
        return None
    latest = (
        Ticket.objects.filter(channel=inbound.channel, address=inbound.address)
        .exclude(status=Ticket.Status.CLOSED)
        .order_by("-created_at", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            if latest is not None and services.reopens(latest, inbound.at):
                services.ticket_customer_wrote(
                    ticket=latest, body=inbound.text, channel=inbound.channel,
                    external_id=inbound.ref, now=inbound.at,
                )  # fmt: skip
                return latest
            return services.ticket_open(
                actor=None,
                subject=subject_of(inbound.text),
                body=inbound.text,
                channel=inbound.channel,
                address=inbound.address,
                requester=sender_label(inbound),
                external_id=inbound.ref,
                now=inbound.at,
            )
    except IntegrityError:  # the same message recorded meanwhile (a retried webhook)
        return None


def subject_of(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…"


def sender_label(inbound: Inbound) -> str:
    """Stored as written, in no language: the start of a LINE user's id, or the number."""
    if inbound.channel == Ticket.Channel.LINE:
        return f"LINE {inbound.address[:9]}…"
    return inbound.address


def message_push(
    *,
    channel: str,
    address: str,
    name: str,
    subject: str,
    body: str,
    external_id: str,
    in_reply_to: str = "",
) -> tuple[Ticket, bool]:
    """A message another help desk pushes (the API's inbound endpoint): it continues the
    ticket of the message it answers (``in_reply_to``, an earlier ``external_id``), else
    opens one. The same ``external_id`` again changes nothing: ``(its ticket, False)``."""
    known = TicketMessage.with_external_id(external_id).select_related("ticket")
    if (earlier := known.first()) is not None:
        return earlier.ticket, False
    answered = (
        TicketMessage.with_external_id(in_reply_to).select_related("ticket").first()
        if in_reply_to
        else None
    )
    with transaction.atomic():
        if answered is not None and services.reopens(answered.ticket, timezone.now()):
            services.ticket_customer_wrote(
                ticket=answered.ticket, body=body, channel=channel, external_id=external_id
            )
            return answered.ticket, True
        ticket = services.ticket_open(
            actor=None,
            subject=subject or subject_of(body),
            body=body,
            channel=channel,
            address=address,
            requester=name or address,
            external_id=external_id,
        )
    return ticket, True
