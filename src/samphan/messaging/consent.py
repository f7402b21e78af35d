"""May this customer be sent this, by this channel, to this address, now? Asked at hand-off
to the provider (so a withdrawal stops queued messages too) and when choosing a channel.

Marketing needs consent granted and in force; service messages (an order, an appointment)
go unless the customer withdrew them. Either way an address on the suppression list is not
sent to (unsubscribed, STOP, bounced, not a number, unfollowed).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from samphan.customers.models import ConsentRecord, ContactPoint, Customer
from samphan.messaging.models import Channel, LineAccount, Suppression

GRANTED, WITHDRAWN = ConsentRecord.Status.GRANTED, ConsentRecord.Status.WITHDRAWN
MARKETING = ConsentRecord.Purpose.MARKETING
# After the customer's preferred channel, the order others are tried in: LINE is read
# first in Thailand, an SMS is always seen, e-mail last.
FALLBACK_ORDER = [Channel.LINE, Channel.SMS, Channel.EMAIL]
ADDRESS_KINDS = {Channel.EMAIL: ContactPoint.Kind.EMAIL, Channel.SMS: ContactPoint.Kind.MOBILE}


def address_key(channel: str, address: str) -> str:
    """How an address is compared (and stored in the outbox and the suppression list)."""
    address = address.strip()
    return address.lower() if channel == Channel.EMAIL else address


def refusal(customer_id: int, channel: str, purpose: str, address: str) -> str | None:
    """Why not, or None when the message may go."""
    latest = (
        ConsentRecord.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
        .order_by("-at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    label = Channel(channel).label
    if purpose == MARKETING and latest != GRANTED:
        return _("No consent to marketing by %(channel)s.") % {"channel": label}
    if latest == WITHDRAWN:
        return _("Consent to service messages by %(channel)s withdrawn.") % {"channel": label}
    suppressed = (
        Suppression.objects.filter(
            channel=channel, address=address_key(channel, address), purpose__in=["", purpose]
        )
        .only("reason")
        .first()
    )
    if suppressed is not None:
        return _("The %(channel)s address is on the suppression list: %(reason)s.") % {
            "channel": label,
            "reason": suppressed.get_reason_display(),
        }
    return None


@dataclass(frozen=True)
class Route:
    """Where a message to a customer goes: a channel and address, or why nowhere."""

    channel: str = ""
    to: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.channel)

    @property
    def label(self) -> str:
        return str(Channel(self.channel).label) if self.channel else ""


def addresses(customer: Customer) -> dict[str, str]:
    """The customer's address on each channel (their preferred one where several)."""
    found: dict[str, str] = {}
    for channel, kind in ADDRESS_KINDS.items():
        points = customer.contact_points.filter(kind=kind).order_by("-is_preferred", "id")
        value = points.values_list("value", flat=True).first()
        if value:
            found[channel] = address_key(channel, value)
    line = customer.line_accounts.filter(following=True).values_list("user_id", flat=True).first()
    if line:
        found[Channel.LINE] = line
    return found


def preferred_channel(customer: Customer) -> str | None:
    point = customer.contact_points.filter(is_preferred=True).first()
    if point is None:
        return None
    channel = point.channel
    return channel if channel in Channel.values else None


def route(customer: Customer, purpose: str, channel: str | None = None) -> Route:
    """``channel``, or the customer's preferred channel that may be used, else the next
    allowed one; when none may, the reasons for each."""
    found = addresses(customer)
    if channel:
        order = [channel]
    else:
        preferred = preferred_channel(customer)
        order = [preferred] if preferred else []
        order += [option for option in FALLBACK_ORDER if option not in order]
    reasons = []
    for option in order:
        label = Channel(option).label
        to = found.get(option)
        if not to:
            reasons.append(_("No %(channel)s address.") % {"channel": label})
            continue
        why = refusal(customer.pk, option, purpose, to)
        if why:
            reasons.append(why)
            continue
        return Route(option, to)
    return Route(reason=" ".join(reasons))


def line_account_of(user_id: str) -> LineAccount | None:
    return LineAccount.objects.filter(user_id=user_id).select_related("customer").first()
