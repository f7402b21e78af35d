"""Who saw whom (PDPA, issue 20): the customers app and the apps above it say here when a
user was shown a customer's personal data; the privacy app, above every app, records it
(``privacy/receivers.py``, connected in its ``ready``). Nothing is recorded when no
receiver is connected.

``kind`` is one of ``SEEN_KINDS``: ``page`` (the customer page), ``card`` (the front-desk
card), ``export`` (a download listing customers) or ``api`` (an API read).
"""

from typing import Any

from django.db.models import QuerySet
from django.dispatch import Signal

from samphan.accounts.models import User

SEEN_KINDS = ("page", "card", "export", "api")

# A user was shown customers: ``user``, ``kind`` and ``customer_ids`` (a list).
customers_seen = Signal()
# A user downloaded customers: ``user``, ``what`` (e.g. "segment 12 (CSV)") and
# ``customers``, the queryset of the customers the file lists (read once more, by the
# receiver, in one INSERT … SELECT, so a streamed file of a million rows costs no memory).
customers_exported = Signal()


def seen(user: User, customer_id: int, kind: str) -> None:
    """``user`` was shown one customer (a page, a card, an API read)."""
    customers_seen.send(User, user=user, kind=kind, customer_ids=[customer_id])


def seen_many(user: User, customer_ids: list[int], kind: str) -> None:
    """``user`` was shown these customers at once (an API list, the cards of a look-up)."""
    if customer_ids:
        customers_seen.send(User, user=user, kind=kind, customer_ids=customer_ids)


def exported(user: User, customers: "QuerySet[Any]", what: str) -> None:
    """``user`` downloaded a file listing ``customers``."""
    customers_exported.send(User, user=user, customers=customers, what=what)
