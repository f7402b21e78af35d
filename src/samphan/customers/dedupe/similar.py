"""Customers like one being entered: the create form's warning (issue 21).

One function, ``similar_customers``, so the finder's own ``possible_duplicates`` (being
written in this package) can take its place by changing its body only. Until then it
looks up, through the search index (a trigram index, so no table scan), the customers
sharing one of the entered names, and scores each against the entry with the finder's
``score``: those at or above its ``THRESHOLD`` are shown, best first. Phones and e-mails
are left to the exact check that already stops the save (``DuplicateContactError``).
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from samphan.accounts.models import User
from samphan.core.search import TRIGRAM, matching_ids
from samphan.customers.dedupe.names import strip_title
from samphan.customers.dedupe.scoring import THRESHOLD, CustomerSummary, score
from samphan.customers.models import Customer

LOOKUP = 50  # customers read per name searched
SHOWN = 5


@dataclass(frozen=True)
class Similar:
    customer: Customer
    score: float
    reasons: list[str]


def summary_of(customer: Customer) -> CustomerSummary:
    """A saved customer as the scoring reads one (without phones and e-mails)."""
    if customer.kind == Customer.Kind.COMPANY:
        first, last, first_en, last_en = customer.company_name, "", customer.company_name_en, ""
        employer = ""
    else:
        first, last = customer.first_name, customer.last_name
        first_en, last_en = customer.first_name_en, customer.last_name_en
        employer = customer.company.company_name if customer.company else ""
    return CustomerSummary(
        first_name=first,
        last_name=last,
        first_name_en=first_en,
        last_name_en=last_en,
        nickname=customer.nickname,
        company=employer,
        birthday=customer.birthday,
        address=customer.address,
        province=customer.province,
    )


def _terms(person: CustomerSummary) -> list[str]:
    names = (person.last_name, person.last_name_en, person.first_name, person.first_name_en)
    terms = (strip_title(name).casefold().strip() for name in names)
    return list(dict.fromkeys(term for term in terms if len(term) >= TRIGRAM))


def similar_customers(
    user: User | AnonymousUser,
    person: CustomerSummary,
    *,
    kind: str = Customer.Kind.PERSON,
    exclude_id: int | None = None,
    limit: int = SHOWN,
) -> list[Similar]:
    """Current customers of ``kind`` visible to ``user`` who may be ``person``, best
    first, with the reasons in the reader's language; a query per name, then one."""
    terms = _terms(person)
    if not terms:
        return []
    visible = Customer.objects.visible_to(user).active().filter(kind=kind)
    ids: set[int] = set()
    for term in terms:
        ids.update(matching_ids(visible, term, limit=LOOKUP))
    ids.discard(exclude_id or 0)
    if not ids:
        return []
    found = []
    for customer in visible.filter(pk__in=ids).select_related("company"):
        candidate = score(person, summary_of(customer))
        if candidate.score >= THRESHOLD:
            found.append(Similar(customer, candidate.score, candidate.reasons))
    found.sort(key=lambda similar: (-similar.score, similar.customer.pk))
    return found[:limit]
