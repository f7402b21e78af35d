"""What a customer is found by: the text written into ``Customer.search_document``."""

from collections.abc import Iterable

from samphan.core.phones import phone_index_terms
from samphan.customers.models import ContactPoint, Customer

INDEXED_KINDS = {ContactPoint.Kind.EMAIL, ContactPoint.Kind.LINE, *ContactPoint.PHONE_KINDS}


def build_search_document(customer: Customer, contacts: Iterable[tuple[str, str]]) -> str:
    """Lower-cased names, nickname, member number, tax ID, e-mails, LINE IDs and phone digits."""
    parts = [
        customer.first_name,
        customer.last_name,
        customer.first_name_en,
        customer.last_name_en,
        customer.nickname,
        customer.company_name,
        customer.company_name_en,
        customer.member_number or "",
        customer.tax_id,
    ]
    for kind, value in contacts:
        if kind in ContactPoint.PHONE_KINDS:
            parts.append(phone_index_terms(value))
        elif kind in INDEXED_KINDS:
            parts.append(value)
    return " ".join(part for part in parts if part).casefold()
