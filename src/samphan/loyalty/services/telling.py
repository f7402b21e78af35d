"""Telling members something about their membership (points about to expire, a new tier):
a service message each, in their language, by their preferred channel that may carry
one, queued in the outbox once per key however often the caller runs."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils import translation

from samphan.core.shop import shop_profile
from samphan.customers.models import ConsentRecord, Customer
from samphan.messaging.consent import routes_for
from samphan.messaging.models import Channel
from samphan.messaging.outbox import message_queue


@dataclass(frozen=True)
class Words:
    subject: str  # for an e-mail
    text: str


# Called with the member's id and the shop's name in their language, inside that language.
Writer = Callable[[int, str], Words]


def members_tell(keys: Mapping[int, str], write: Writer) -> int:
    """One message to each member of ``keys`` (customer id → idempotency key) who may be
    reached; returns how many were queued."""
    routes = routes_for(list(keys), ConsentRecord.Purpose.SERVICE)
    customers = Customer.objects.in_bulk([pk for pk in keys if routes[pk]])
    queued = 0
    for pk, key in keys.items():
        route, customer = routes[pk], customers.get(pk)
        if not route or customer is None:
            continue
        language = "en" if customer.first_name_en and not customer.first_name else "th"
        with translation.override(language):
            words = write(pk, shop_profile().name_in(language))
        message_queue(
            customer=customer,
            channel=route.channel,
            purpose=ConsentRecord.Purpose.SERVICE,
            to=route.to,
            subject=words.subject if route.channel == Channel.EMAIL else "",
            text=words.text,
            idempotency_key=key,
        )
        queued += 1
    return queued
