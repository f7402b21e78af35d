"""Where a ticket's reply goes and how: through the outbox, on the channel the customer wrote
from (an e-mail threaded under theirs, a LINE message, an SMS), else by the customer's
preferred channel, always under the service-purpose consent rules. Also who a sender is:
the customer with that address, or a new one once staff answer them."""

import re
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.shop import shop_profile
from samphan.core.thai import has_thai
from samphan.customers.models import ConsentRecord, ContactPoint, Customer
from samphan.customers.services import contact_point_add, customer_create
from samphan.messaging.channels.email import message_id
from samphan.messaging.consent import Route, address_key, refusal, route
from samphan.messaging.models import Channel, LineAccount
from samphan.messaging.outbox import message_queue
from samphan.support.models import CannedReply, Ticket, TicketMessage

SERVICE = ConsentRecord.Purpose.SERVICE
# "[#123]" in a subject names the ticket a mail continues (with the sender's address).
TOKEN = re.compile(r"\[#(\d{1,12})\]")
KINDS: dict[str, str] = {
    Channel.EMAIL: ContactPoint.Kind.EMAIL,
    Channel.SMS: ContactPoint.Kind.MOBILE,
}


def support_address() -> str:
    """The address customers write to, which replies name as Reply-To (they come from
    DEFAULT_FROM_EMAIL, as every e-mail does): SAMPHAN_SUPPORT_EMAIL, else that one's."""
    return settings.SAMPHAN_SUPPORT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def subject_of(ticket: Ticket) -> str:
    subject = TOKEN.sub("", ticket.subject).strip()
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return f"{subject} [#{ticket.pk}]"


def reply_channel(channel: str, address: str) -> str:
    """The channel that reaches ``address``: the ticket's own, or for the web form the
    e-mail or mobile number the customer gave (empty: none)."""
    if channel in Channel.values:
        return channel
    if channel == Ticket.Channel.WEB and address:
        return Channel.EMAIL if "@" in address else Channel.SMS
    return ""


def route_for(ticket: Ticket) -> Route:
    """The channel and address a reply would go to now, or why none."""
    channel = reply_channel(ticket.channel, ticket.address)
    if channel and ticket.address:
        why = refusal(ticket.customer_id or 0, channel, SERVICE, ticket.address)
        if why is None:
            return Route(channel, address_key(channel, ticket.address))
        if ticket.customer is None:
            return Route(reason=why)
    if ticket.customer is None:
        return Route(reason=_("Nobody to send it to: choose the ticket's customer."))
    return route(ticket.customer, SERVICE)


def customer_with(channel: str, address: str) -> Customer | None:
    """The one customer with this address (None: none, or several, for staff to choose)."""
    channel = reply_channel(channel, address)
    if channel == Channel.LINE:
        account = LineAccount.objects.filter(user_id=address).select_related("customer").first()
        return account.customer if account else None
    if channel not in KINDS:
        return None
    found = list(
        Customer.objects.filter(
            archived_at=None,
            contact_points__kind=KINDS[channel],
            contact_points__value__iexact=address_key(channel, address),
        ).distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def customer_from_sender(actor: User, ticket: Ticket) -> Customer:
    """A new customer for a sender nobody knew, named as their mail or profile says, with
    the address they wrote from (a LINE account is linked instead)."""
    name = (ticket.requester or ticket.address).split("@")[0].strip()[:100] or ticket.address
    field = "first_name" if has_thai(name) else "first_name_en"
    source: dict[str, str] = {
        Ticket.Channel.LINE: Customer.Source.LINE,
        Ticket.Channel.WEB: Customer.Source.WEBSITE,
    }
    customer = customer_create(
        actor=actor,
        fields={field: name, "source": source.get(ticket.channel, "")},
        allow_duplicate=True,
    )
    if ticket.channel == Channel.LINE:
        LineAccount.objects.filter(user_id=ticket.address, customer=None).update(customer=customer)
    elif ticket.channel in KINDS:
        contact_point_add(
            actor=actor,
            customer=customer,
            kind=KINDS[ticket.channel],
            value=ticket.address,
            is_preferred=True,
            allow_duplicate=True,
        )
    return customer


def reply_send(actor: User, ticket: Ticket, message: TicketMessage) -> None:
    """Queue the reply (in the caller's transaction) or record why it cannot go."""
    found = route_for(ticket)
    if not found or ticket.customer is None:  # the caller made the sender a customer first
        message.unsent_reason = found.reason[:300]
        message.save(update_fields=["unsent_reason"])
        return
    email = found.channel == Channel.EMAIL
    message.outbox = message_queue(
        customer=ticket.customer,
        channel=found.channel,
        purpose=SERVICE,
        to=found.to,
        subject=subject_of(ticket) if email else "",
        text=message.body,
        headers=_threading(ticket) if email else {},
        idempotency_key=f"support-reply-{message.pk}",
        actor=actor,
    )
    if email:
        message.external_id = message_id(message.outbox)
    message.save(update_fields=["outbox", "external_id"])


def _threading(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To the thread's latest mail, References its mails (the last 20), so the
    customer's mail program shows the reply under their message."""
    ids = list(
        ticket.messages.exclude(external_id="")
        .order_by("-created_at", "-id")
        .values_list("external_id", flat=True)[:20]
    )
    headers = {"Reply-To": support_address()}
    if ids:
        headers["In-Reply-To"] = ids[0]
        headers["References"] = " ".join(reversed(ids))
    return headers


def canned_for(ticket: Ticket, agent: User) -> list[tuple[CannedReply, str]]:
    """Each canned reply, filled in for this ticket and the agent who answers."""
    name = ticket.customer.display_name if ticket.customer else ticket.requester
    values = {
        "name": name,
        "ticket": f"#{ticket.pk}",
        "agent": agent.get_full_name() or agent.get_username(),
        "shop": shop_profile().name,
    }
    return [(reply, _fill(reply.body, values)) for reply in CannedReply.objects.all()]


def _fill(text: str, values: dict[str, str]) -> str:
    # Only the model's placeholders are replaced: any other brace in the text stays as written.
    names = "|".join(CannedReply.PLACEHOLDERS)
    return re.sub(rf"\{{({names})\}}", lambda match: values[match[1]], text)
