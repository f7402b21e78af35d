"""Loyalty's services: the ledger's writer (``ledger``), points from orders (``earning``),
what staff change by hand (``changes``) and balances read."""

from samphan.loyalty.models import Member
from samphan.loyalty.services.changes import MOST_AT_ONCE, member_locked, points_record
from samphan.loyalty.services.earning import (
    orders_earn,
    orders_fill,
    orders_settle,
    points_due,
    programme_current,
    rules_current,
)
from samphan.loyalty.services.ledger import Posting, members_rebuild, post


def balances(customer_ids: list[int]) -> dict[int, int]:
    """Each listed customer's points in one query (0 for one who is not a member)."""
    kept = dict(
        Member.objects.filter(customer_id__in=customer_ids).values_list("customer_id", "points")
    )
    return {pk: kept.get(pk, 0) for pk in customer_ids}


def balance_of(customer_id: int) -> int:
    return balances([customer_id])[customer_id]


__all__ = [
    "MOST_AT_ONCE", "Posting", "balance_of", "balances", "member_locked", "members_rebuild",
    "orders_earn", "orders_fill", "orders_settle", "points_due", "points_record", "post",
    "programme_current", "rules_current",
]  # fmt: skip
