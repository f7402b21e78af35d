"""Member cards sent through the outbox: the courier the public sign-up calls
(``samphan.customers.card_delivery``), registered at start.

A card is a service message: it goes by the member's preferred channel that may carry
one (unless they withdrew service messages there, or the address is suppressed), at most
once a day per member, so a stranger typing someone's number into the sign-up page cannot
flood them."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.core.shop import shop_profile
from samphan.customers.models import ConsentRecord, Customer
from samphan.messaging.consent import route
from samphan.messaging.outbox import message_queue

SERVICE = ConsentRecord.Purpose.SERVICE


def member_card_send(customer: Customer, link: str) -> bool:
    way = route(customer, SERVICE)
    if not way:
        return False
    business = shop_profile().display_name
    context = {"customer": customer, "business": business, "link": link}
    message_queue(
        customer=customer,
        channel=way.channel,
        purpose=SERVICE,
        to=way.to,
        subject=_("Your member card at %(business)s") % {"business": business},
        text=render_to_string("messaging/member_card_message.txt", context).strip(),
        idempotency_key=f"member-card:{customer.pk}:{timezone.localdate().isoformat()}",
    )
    return True
