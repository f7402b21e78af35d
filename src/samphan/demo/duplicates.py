"""A few customers entered twice, as a real shop's list has them, so that a fresh demo's
duplicate review (issue 21) has pairs to show: the last people of the load become second
records of earlier ones (the name in Latin letters with the same mobile; a title in the
name and the same birthday; the same name with the same LINE ID), then the finder
runs once, as the worker does every night. Small loads only (``loader.QUOTES_UP_TO``)."""

from samphan.customers.dedupe.finder import duplicates_find
from samphan.customers.dedupe.names import romanise
from samphan.customers.models import ContactPoint, Customer
from samphan.customers.services import contact_point_add, customer_update

PAIRS = 6


def _contact(customer: Customer, kind: str = ContactPoint.Kind.MOBILE) -> str:
    return next((p.value for p in customer.contact_points.all() if p.kind == kind), "")


def demo_duplicates(*, first_customer_id: int) -> int:
    """Make ``PAIRS`` second records among the loaded people; the pairs the finder found."""
    people = list(
        Customer.objects.filter(pk__gte=first_customer_id, kind=Customer.Kind.PERSON)
        .exclude(first_name="")
        .exclude(birthday=None)
        .prefetch_related("contact_points")
        .order_by("pk")
    )
    firsts = [person for person in people[: len(people) // 2] if _contact(person)][:PAIRS]
    seconds = people[-len(firsts) :] if firsts else []
    for n, (first, second) in enumerate(zip(firsts, seconds, strict=True)):
        _second_record(n % 3, first, second)
    return duplicates_find().found if firsts else 0


def _second_record(how: int, first: Customer, second: Customer) -> None:
    """The second record as staff typed it again: the first's name, no English name or
    nickname (not asked for twice), and one thing that ties the two."""
    names: dict[str, object] = {"first_name": first.first_name, "last_name": first.last_name}
    names |= {"first_name_en": "", "last_name_en": "", "nickname": ""}
    names |= {"title": first.title, "gender": first.gender}  # the same person
    kind, value = ContactPoint.Kind.MOBILE, _contact(first)
    if how == 0:  # typed in Latin letters from a business card, with the same mobile
        names |= {"first_name": romanise(first.first_name).title()}
        names |= {"last_name": romanise(first.last_name).title()}
    elif how == 1:  # a title typed into the name, and the same birthday
        names |= {"first_name": f"คุณ{first.first_name}", "birthday": first.birthday}
        value = ""
    else:  # the same name, no birthday given, and the same LINE ID
        kind, value = ContactPoint.Kind.LINE, _contact(first, ContactPoint.Kind.LINE)
        names |= {"birthday": None}
        if not value:
            value = f"{romanise(first.first_name)}_{first.pk}"
            contact_point_add(actor=None, customer=first, kind=kind, value=value)
    second = customer_update(actor=None, customer=second, fields=names)
    if value:
        contact_point_add(actor=None, customer=second, kind=kind, value=value, allow_duplicate=True)
