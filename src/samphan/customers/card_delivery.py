"""How a member's card reaches them, as the sign-up page knows it (issue 20).

The public sign-up answers a known and a new person alike, so it shows no card: it hands
the card's link to the courier, which sends it to the member's own channel on file. The
messaging app, a layer above, registers the courier at start (``samphan.messaging.cards``)."""

from collections.abc import Callable

from samphan.customers.models import Customer

# (customer, absolute link to the card) -> whether a message was queued
CardCourier = Callable[[Customer, str], bool]

_couriers: list[CardCourier] = []


def card_courier_register(courier: CardCourier) -> None:
    _couriers[:] = [courier]


def card_send(customer: Customer, link: str) -> bool:
    """Queue the card's link to the customer (in the caller's transaction); False when no
    courier is registered or no channel may carry it."""
    return _couriers[0](customer, link) if _couriers else False
