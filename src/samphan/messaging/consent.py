"""May this customer be sent this, by this channel, to this address, now? Asked at hand-off
to the provider (so a withdrawal stops queued messages too) and when choosing a channel.

A purpose in ``OPT_IN_PURPOSES`` (marketing) needs consent granted and in force; any other
(service messages: an order, an appointment) goes unless the customer withdrew it. Either
way an address on the suppression list is not sent to (unsubscribed, STOP, bounced, not a
number, unfollowed). The purposes and what each needs are declared beside
``ConsentRecord.Purpose``; nothing here names one.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from samphan.customers.models import (
    CONSENT_CHANNEL_BY_KIND,
    OPT_IN_PURPOSES,
    ConsentRecord,
    ContactPoint,
    Customer,
    purpose_messages,
)
from samphan.messaging.models import Channel, LineAccount, Message, Suppression

GRANTED, WITHDRAWN = ConsentRecord.Status.GRANTED, ConsentRecord.Status.WITHDRAWN
# Not a consent status: what ``_consents_of`` reports for an opt-in purpose (marketing)
# while the customer's processing is restricted (PDPA ss.32, 34), whatever they granted.
RESTRICTED = "restricted"
MARKETING = ConsentRecord.Purpose.MARKETING
PURPOSES: list[str] = list(ConsentRecord.Purpose)
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
    found = (
        ConsentRecord.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
        .order_by("-at", "-id")
        .values_list("status", "customer__processing_restricted_at")
        .first()
    )
    latest = None if found is None else found[0]
    if found is not None and found[1] is not None and purpose in OPT_IN_PURPOSES:
        latest = RESTRICTED
    suppressed = (
        Suppression.objects.filter(
            channel=channel, address=address_key(channel, address), purpose__in=["", purpose]
        )
        .only("reason")
        .first()
    )
    return why_not(
        channel, purpose, latest, suppressed.get_reason_display() if suppressed else None
    )


def why_not(channel: str, purpose: str, consent: str | None, suppressed: str | None) -> str | None:
    """The rule itself: ``consent`` is the status in force (None: never asked),
    ``suppressed`` why the address is on the suppression list (None: it is not)."""
    label = Channel(channel).label
    if consent == RESTRICTED:
        return _("Processing of this customer's data is restricted: no %(purpose)s.") % {
            "purpose": purpose_messages(purpose)
        }
    if purpose in OPT_IN_PURPOSES and consent != GRANTED:
        return _("No consent to %(purpose)s by %(channel)s.") % {
            "purpose": purpose_messages(purpose),
            "channel": label,
        }
    if consent == WITHDRAWN:
        return _("Consent to %(purpose)s by %(channel)s withdrawn.") % {
            "purpose": purpose_messages(purpose),
            "channel": label,
        }
    if suppressed is not None:
        return _("The %(channel)s address is on the suppression list: %(reason)s.") % {
            "channel": label,
            "reason": suppressed,
        }
    return None


def refusals(messages: list[Message]) -> dict[int, str | None]:
    """``refusal`` for each of many messages (the outbox's next few), with two queries
    per purpose instead of two per message."""
    found: dict[int, str | None] = {}
    for purpose in {message.purpose for message in messages}:
        mine = [message for message in messages if message.purpose == purpose]
        latest = _consents_of(sorted({message.customer_id for message in mine}), [purpose])
        suppressed = _suppressed({(message.channel, message.to) for message in mine}, [purpose])
        for message in mine:
            found[message.pk] = why_not(
                message.channel,
                purpose,
                latest.get((message.customer_id, message.channel, purpose)),
                suppressed.get(
                    (purpose, message.channel, address_key(message.channel, message.to))
                ),
            )
    return found


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


def route(customer: Customer, purpose: str, channel: str | None = None) -> Route:
    """``channel``, or the customer's preferred channel that may be used, else the next
    allowed one; when none may, the reasons for each."""
    return routes_for([customer.pk], purpose, channel)[customer.pk]


def line_account_of(user_id: str) -> LineAccount | None:
    return LineAccount.objects.filter(user_id=user_id).select_related("customer").first()


def routes_for(
    customer_ids: list[int], purpose: str, channel: str | None = None
) -> dict[int, Route]:
    """``route`` for many customers at once (a campaign's audience): the same choice, from
    a few queries per thousand customers instead of a few per customer."""
    return {
        customer_id: by_purpose[purpose]
        for customer_id, by_purpose in _routes(customer_ids, [purpose], channel).items()
    }


def purpose_routes(customer: Customer, purposes: Sequence[str] = PURPOSES) -> dict[str, Route]:
    """``route`` for each purpose, in the order given (the customer page, the new-message
    form): addresses, consents and the suppression list are looked up once for all."""
    return _routes([customer.pk], list(purposes))[customer.pk]


def _routes(
    customer_ids: list[int], purposes: list[str], channel: str | None = None
) -> dict[int, dict[str, Route]]:
    routes: dict[int, dict[str, Route]] = {}
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        found, preferred = _addresses_of(chunk)
        latest = _consents_of(chunk, purposes)
        wanted = {(option, to) for addresses in found.values() for option, to in addresses.items()}
        suppressed = _suppressed(wanted, purposes)
        for customer_id in chunk:
            addresses = found.get(customer_id, {})
            if channel:
                order = [channel]
            else:
                first = preferred.get(customer_id)
                order = [first] if first else []
                order += [option for option in FALLBACK_ORDER if option not in order]
            routes[customer_id] = {
                purpose: _choose(customer_id, purpose, order, addresses, latest, suppressed)
                for purpose in purposes
            }
    return routes


def _choose(
    customer_id: int,
    purpose: str,
    order: list[str],
    addresses: dict[str, str],
    latest: dict[tuple[int, str, str], str],
    suppressed: dict[tuple[str, str, str], str],
) -> Route:
    """The first channel in ``order`` that may be used for ``purpose``, else why none."""
    reasons = []
    for option in order:
        label = Channel(option).label
        to = addresses.get(option)
        if not to:
            reasons.append(_("No %(channel)s address.") % {"channel": label})
            continue
        why = why_not(option, purpose, latest.get((customer_id, option, purpose)),
                      suppressed.get((purpose, option, to)))  # fmt: skip
        if why:
            reasons.append(why)
            continue
        return Route(option, to)
    return Route(reason=" ".join(reasons))


CHUNK = 2_000


def _addresses_of(customer_ids: list[int]) -> tuple[dict[int, dict[str, str]], dict[int, str]]:
    found: dict[int, dict[str, str]] = {}
    preferred: dict[int, str] = {}
    kinds: dict[str, str] = {str(kind): str(channel) for channel, kind in ADDRESS_KINDS.items()}
    points = (
        ContactPoint.objects.filter(customer_id__in=customer_ids)
        .order_by("customer_id", "-is_preferred", "id")
        .values_list("customer_id", "kind", "value", "is_preferred")
    )
    for customer_id, kind, value, is_preferred in points:
        channel = kinds.get(kind)
        if channel:
            found.setdefault(customer_id, {}).setdefault(channel, address_key(channel, value))
        if is_preferred and customer_id not in preferred:
            consent_channel = CONSENT_CHANNEL_BY_KIND.get(ContactPoint.Kind(kind))
            if consent_channel in Channel.values:
                preferred[customer_id] = str(consent_channel)
    accounts = (
        LineAccount.objects.filter(customer_id__in=customer_ids, following=True)
        .order_by("customer_id", "-followed_at")
        .values_list("customer_id", "user_id")
    )
    for customer_id, user_id in accounts:
        found.setdefault(customer_id, {}).setdefault(Channel.LINE, user_id)
    return found, preferred


def _consents_of(customer_ids: list[int], purposes: list[str]) -> dict[tuple[int, str, str], str]:
    """The status in force per (customer, channel, purpose); ``RESTRICTED`` for an opt-in
    purpose while the customer's processing is restricted (read in the same query: an
    opt-in purpose needs a record to go at all, so a customer without one is refused
    anyway)."""
    latest: dict[tuple[int, str, str], str] = {}
    records = (
        ConsentRecord.objects.filter(customer_id__in=customer_ids, purpose__in=purposes)
        .order_by("customer_id", "channel", "purpose", "-at", "-id")
        .values_list(
            "customer_id", "channel", "purpose", "status", "customer__processing_restricted_at"
        )
    )
    for customer_id, channel, purpose, status, restricted_at in records:
        restricted = restricted_at is not None and purpose in OPT_IN_PURPOSES
        latest.setdefault((customer_id, channel, purpose), RESTRICTED if restricted else status)
    return latest


def _suppressed(
    wanted: set[tuple[str, str]], purposes: list[str]
) -> dict[tuple[str, str, str], str]:
    """Why each wanted (channel, address) is on the suppression list, per (purpose,
    channel, address): an entry without a purpose holds for every purpose."""
    found: dict[tuple[str, str, str], str] = {}
    by_channel: dict[str, list[str]] = {}
    for channel, address in wanted:
        by_channel.setdefault(channel, []).append(address)
    for channel, addresses in by_channel.items():
        rows = Suppression.objects.filter(
            channel=channel, address__in=addresses, purpose__in=["", *purposes]
        )
        for row in rows:
            reason = str(row.get_reason_display())
            for purpose in [row.purpose] if row.purpose else purposes:
                found[(purpose, channel, row.address)] = reason
    return found
