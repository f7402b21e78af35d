"""Finding who was typed or scanned at the desk, and the check-in look-up that both the
desk page and the API decide with: one match is checked in at once, several are offered
to pick from, none is reported."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.phones import normalise_phone, phone_search_digits
from samphan.core.search import matching_ids
from samphan.customers.access import customer_for_user
from samphan.customers.membership import card_read
from samphan.customers.models import ContactPoint, Customer
from samphan.frontdesk.services.arrivals import Arrival, Method, check_in

MAX_CARDS = 12  # matches shown as cards to pick from


@dataclass
class Found:
    """What a front-desk lookup found: the customers (at most ``MAX_CARDS``), how they were
    found, whether there were more, or why nothing could be looked up."""

    customers: list[Customer] = field(default_factory=list)
    method: str = ""
    more: bool = False
    error: str = ""
    phone: str = ""  # a whole phone number typed (E.164), offered to the quick sign-up


def _candidates(user: User) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).filter(archived_at__isnull=True)


def customers_find(user: User, query: str) -> Found:
    """Customers matching what was typed or scanned: a member card's code, a member number,
    a phone number in any form (or its last four digits or more), or a name."""
    query = query.strip()
    if not query:
        return Found(error=_("Type a phone number, a member number or a name."))
    candidates = _candidates(user)
    card = card_read(query)
    if card is not None:
        if card.error:
            return Found(method=Method.CARD, error=card.error)
        found = list(candidates.filter(member_number=card.member_number))
        if not found:
            return Found(method=Method.CARD, error=_("No customer holds this member card."))
        return Found(found, Method.CARD)
    members = list(candidates.filter(member_number__in={query, query.upper()}))
    if members:
        return Found(members, Method.MEMBER)
    if phone_search_digits(query):
        try:
            number = normalise_phone(query)
        except ValidationError:
            number = ""
        if number:  # a whole number: its contact points, through their (kind, value) index
            owners = ContactPoint.objects.filter(
                kind__in=ContactPoint.PHONE_KINDS, value=number
            ).values("customer_id")
            matches = candidates.filter(pk__in=owners).order_by("display_name", "id")
            found = list(matches[: MAX_CARDS + 1])
            return Found(found[:MAX_CARDS], Method.PHONE, len(found) > MAX_CARDS, phone=number)
        return _searched(candidates, query, Method.PHONE)
    return _searched(candidates, query, Method.NAME)


def _searched(candidates: QuerySet[Customer], query: str, method: str) -> Found:
    ids = matching_ids(candidates, query, limit=MAX_CARDS + 1)
    found = list(Customer.objects.filter(pk__in=ids[:MAX_CARDS]).order_by("display_name", "id"))
    return Found(found, method, len(ids) > MAX_CARDS)


@dataclass
class Lookup:
    """What a check-in look-up came to: ``arrival`` when exactly one customer matched (they
    are checked in), else ``found`` says why not (several to pick from, none, an error)."""

    found: Found
    arrival: Arrival | None = None


def check_in_lookup(user: User, query: str) -> Lookup:
    """Check in the one customer ``query`` finds (``customers_find``, as ``user`` sees
    them; ``user`` checks them in); several or none are only reported."""
    found = customers_find(user, query)
    if found.error or len(found.customers) != 1 or found.more:
        return Lookup(found)
    return Lookup(found, check_in(actor=user, customer=found.customers[0], method=found.method))


def check_in_picked(user: User, customer_id: int) -> Arrival:
    """Check in the customer picked from the candidates (404 unless ``user`` sees them
    and they are not archived)."""
    customer = customer_for_user(user, customer_id, queryset=Customer.objects.active())
    return check_in(actor=user, customer=customer, method=Method.PICKED)
