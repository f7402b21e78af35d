"""Possible duplicates of one customer, checked when it is created, edited or imported.

``possible_duplicates(customer_or_values, user)`` looks only where an index leads, never
over all customers: one query (a UNION of index searches, as SQLite will not use several
indexes for an OR) finds the customers who have one of its phones (or a phone one digit
apart), e-mails or LINE IDs, the same birthday, the same employer, or a name written the
same way (``display_name``); a second reads those the user can see; a third their
phones, e-mails and LINE IDs; each is then scored as the nightly finder scores a pair
(``scoring.score``), so a name alone never makes a warning. Four queries for a saved
customer (its own contacts first), three for values not yet saved.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from samphan.accounts.models import User
from samphan.core.phones import normalise_phone
from samphan.customers.dedupe.scoring import THRESHOLD, CustomerSummary, score
from samphan.customers.dedupe.summaries import (
    COLUMNS,
    CONTACT_KINDS,
    contacts_of,
    summary_from_row,
)
from samphan.customers.models import ContactPoint, Customer

LOOK_AT_MOST = 200  # candidates read and scored, at most, for one customer
NAME_FIELDS = ("first_name", "last_name", "first_name_en", "last_name_en", "nickname")


@dataclass(frozen=True)
class PossibleDuplicate:
    """A customer the user can see who may be the same person, and why (in the reader's
    language), highest score first."""

    customer_id: int
    display_name: str
    score: float
    reasons: list[str]


def _phone_forms(phone: str) -> set[str]:
    """The stored (E.164) form of a phone and of every number one keystroke from it (a
    digit typed wrong or two neighbours swapped): about a hundred values, one indexed
    ``IN``."""
    try:
        stored = normalise_phone(phone)
    except ValidationError:  # not a phone: looked up as written
        return {phone.strip()} - {""}
    forms = {stored}
    cut = 3 if stored.startswith("+66") else 1
    head, digits = stored[:cut], stored[cut:]  # +66 and the national number
    for i, digit in enumerate(digits):
        forms |= {head + digits[:i] + other + digits[i + 1 :] for other in "0123456789"}
        if i + 1 < len(digits) and digit != digits[i + 1]:
            forms.add(head + digits[:i] + digits[i + 1] + digit + digits[i + 2 :])
    return forms


def _summary_and_lookups(
    customer_or_values: Customer | Mapping[str, Any],
) -> tuple[CustomerSummary, int | None, list[QuerySet[Any, Any]]]:
    """The summary of what is being saved, its own id (to leave out) and the indexed
    look-ups that give the ids of possible duplicates."""
    if isinstance(customer_or_values, Customer):
        customer = customer_or_values
        values: dict[str, Any] = {name: getattr(customer, name) for name in NAME_FIELDS}
        values |= {
            "birthday": customer.birthday,
            "address": customer.address,
            "province": customer.province,
            "company_id": customer.company_id,
            "kind": customer.kind,
            "company_name": customer.company_name,
            "company_name_en": customer.company_name_en,
            "display_name": customer.display_name or customer.compute_display_name(),
        }
        own_id = customer.pk
        if own_id:
            contacts = contacts_of(
                ContactPoint.objects.filter(customer_id=own_id)
                .order_by()
                .values_list("customer_id", "kind", "value")
            ).get(own_id, {})
            values |= {"phones": contacts.get("phones", []), "emails": contacts.get("emails", [])}
            values["line_ids"] = contacts.get("lines", [])
    else:
        values, own_id = dict(customer_or_values), None
    phones = [str(value) for value in values.get("phones") or () if value]
    emails = [str(value).strip().lower() for value in values.get("emails") or () if value]
    lines = [str(value).strip() for value in values.get("line_ids") or () if value]
    birthday = values.get("birthday") if isinstance(values.get("birthday"), date) else None
    company_id = values.get("company_id")
    employer = str(values.get("company") or "")
    row = (
        0, values.get("kind") or Customer.Kind.PERSON,
        *(str(values.get(name) or "") for name in NAME_FIELDS),
        str(values.get("company_name") or ""), str(values.get("company_name_en") or ""),
        birthday, str(values.get("address") or ""), str(values.get("province") or ""), employer,
    )  # fmt: skip
    summary = summary_from_row(row, {0: {"phones": phones, "emails": emails, "lines": lines}})
    lookups = {form for phone in phones for form in _phone_forms(phone)} | set(emails)
    lookups |= set(lines)
    names = {
        " ".join(f"{values.get(first) or ''} {values.get(last) or ''}".split())
        for first, last in (("first_name", "last_name"), ("first_name_en", "last_name_en"))
    } | {str(values.get("display_name") or "")}
    names -= {""}
    # Each look-up alone, joined by UNION: SQLite does not use several indexes for an OR.
    ids: list[QuerySet[Any, Any]] = []
    if lookups:
        ids.append(
            ContactPoint.objects.filter(kind__in=CONTACT_KINDS, value__in=lookups)
            .order_by()
            .values_list("customer_id")
        )
    if names:
        ids.append(Customer.objects.filter(display_name__in=names).order_by().values_list("id"))
    if birthday:
        ids.append(Customer.objects.filter(birthday=birthday).order_by().values_list("id"))
    if company_id:
        ids.append(Customer.objects.filter(company_id=company_id).order_by().values_list("id"))
    return summary, own_id, ids


def possible_duplicates(
    customer_or_values: Customer | Mapping[str, Any], user: User
) -> list[PossibleDuplicate]:
    """Customers ``user`` can see who may be the one being saved, highest score first.

    ``customer_or_values`` is a ``Customer`` (saved or not) or the values of a form or an
    import row: the customer's field names, and ``phones``, ``emails`` and ``line_ids``
    as lists of values in any form (``company_id`` for an employer). Three queries (four
    for a saved customer, which reads its own contacts), whatever the number of customers.
    """
    summary, own_id, lookups = _summary_and_lookups(customer_or_values)
    if not lookups:
        return []
    union = lookups[0].union(*lookups[1:]).order_by() if len(lookups) > 1 else lookups[0]
    matched = {pk for (pk,) in union[: LOOK_AT_MOST * 5]} - {own_id}
    if not matched:
        return []
    candidates = Customer.objects.visible_to(user).active().filter(pk__in=matched)
    rows = list(candidates.order_by().values_list(*COLUMNS, "display_name")[:LOOK_AT_MOST])
    if not rows:
        return []
    ids = [row[0] for row in rows]
    contacts = contacts_of(  # by the customer index: other kinds are skipped there
        ContactPoint.objects.filter(customer_id__in=ids)
        .order_by()
        .values_list("customer_id", "kind", "value")
    )
    found = []
    for row in rows:
        result = score(summary, summary_from_row(row[:-1], contacts))
        if result.score >= THRESHOLD:
            found.append(PossibleDuplicate(row[0], row[-1], result.score, result.reasons))
    return sorted(found, key=lambda match: (-match.score, match.customer_id))
