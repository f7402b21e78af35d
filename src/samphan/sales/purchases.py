"""Each customer's purchases summed, as sales pages show them.

Sales records the orders; the analytics app keeps each customer's purchases summed (its
roll-up, kept right by every order write). Analytics is built on sales, so it registers
its reader here at start (``samphan.analytics.purchases``): sales never imports it.
"""

import datetime as dt
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Subquery


class PurchaseSummary(Protocol):
    revenue: Decimal
    profit: Decimal
    order_count: int
    first_purchase_at: dt.datetime | None
    last_purchase_at: dt.datetime | None


class PurchaseTotals(Protocol):
    def of_customer(self, customer_id: int) -> PurchaseSummary:
        """The customer's purchases summed; zeros before their first order."""
        ...

    def last_purchase_at(self) -> Subquery:
        """The latest purchase of the customer ``OuterRef("customer_id")`` names."""
        ...


_totals: list[PurchaseTotals] = []


def purchase_totals_register(totals: PurchaseTotals) -> None:
    _totals[:] = [totals]


def purchase_totals() -> PurchaseTotals:
    if not _totals:
        raise ImproperlyConfigured("No app keeps purchase totals (samphan.analytics).")
    return _totals[0]
