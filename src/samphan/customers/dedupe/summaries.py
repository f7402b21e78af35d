"""Customers read as ``CustomerSummary`` values: only the columns the finder needs
(``.values_list``), and their phones, e-mails and LINE IDs in one more query, so the
nightly finder and the check on save read customers the same way."""

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from samphan.customers.dedupe.scoring import CustomerSummary
from samphan.customers.models import ContactPoint, Customer, CustomerQuerySet

CONTACT_KINDS = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL, ContactPoint.Kind.LINE)
COLUMNS = (
    "id", "kind", "first_name", "last_name", "first_name_en", "last_name_en", "nickname",
    "company_name", "company_name_en", "birthday", "address", "province",
    "company__company_name",
)  # fmt: skip

Row = tuple[Any, ...]
Contacts = dict[int, dict[str, list[str]]]


def _shared(text: str | None) -> str:
    """Names, companies and provinces repeat across a million customers: keep one copy."""
    return sys.intern(text) if text else ""


def contacts_of(queryset: Any) -> Contacts:
    """{customer id: {"phones" | "emails" | "lines": [value, …]}} from ``(customer_id, kind,
    value)`` rows."""
    found: Contacts = defaultdict(lambda: {"phones": [], "emails": [], "lines": []})
    for customer_id, kind, value in queryset:
        if kind not in CONTACT_KINDS:
            continue
        if kind == ContactPoint.Kind.EMAIL:
            found[customer_id]["emails"].append(value)
        elif kind == ContactPoint.Kind.LINE:
            found[customer_id]["lines"].append(value)
        else:
            found[customer_id]["phones"].append(value)
    return found


def summary_from_row(row: Row, contacts: Contacts) -> CustomerSummary:
    """One ``COLUMNS`` row (and its contacts) as a summary; a company by its name."""
    (pk, kind, first, last, first_en, last_en, nick, co, co_en, birthday, address, province,
     employer) = row  # fmt: skip
    if kind == Customer.Kind.COMPANY:
        first, last, first_en, last_en, employer = co, "", co_en, "", ""
    mine = contacts.get(pk) or {}
    return CustomerSummary(
        first_name=_shared(first),
        last_name=_shared(last),
        first_name_en=_shared(first_en),
        last_name_en=_shared(last_en),
        nickname=_shared(nick),
        phones=tuple(mine.get("phones", ())),
        emails=tuple(mine.get("emails", ())),
        line_ids=tuple(mine.get("lines", ())),
        company=_shared(employer),
        birthday=birthday if isinstance(birthday, date) else None,
        address=address or "",
        province=_shared(province),
    )


def summaries_in_batches(
    customers: CustomerQuerySet, batch: int
) -> Iterator[list[tuple[int, CustomerSummary]]]:
    """``customers`` in id order, ``batch`` at a time: two queries a batch (the rows, then
    the contacts of the id range)."""
    last = 0
    while True:
        rows = list(customers.filter(id__gt=last).order_by("id").values_list(*COLUMNS)[:batch])
        if not rows:
            return
        first_id, last = rows[0][0], rows[-1][0]
        # By the customer index alone: with ``kind__in`` SQLite may take the (kind, value)
        # index and read every phone for each batch. The few other kinds are skipped here.
        contacts = contacts_of(
            ContactPoint.objects.filter(customer_id__gte=first_id, customer_id__lte=last)
            .order_by()
            .values_list("customer_id", "kind", "value")
        )
        yield [(row[0], summary_from_row(row, contacts)) for row in rows]


def summaries_of(ids: Iterable[int]) -> dict[int, CustomerSummary]:
    """These customers as summaries: two queries, whatever their number."""
    ids = list(ids)
    if not ids:
        return {}
    rows = Customer.objects.filter(pk__in=ids).values_list(*COLUMNS)
    contacts = contacts_of(
        ContactPoint.objects.filter(customer_id__in=ids)
        .order_by()
        .values_list("customer_id", "kind", "value")
    )
    return {row[0]: summary_from_row(row, contacts) for row in rows}
