"""What other apps know of a customer, shown beside them in short (the duplicate queue).

The customers app knows nothing of orders; the analytics app, which keeps each customer's
purchases summed, registers its reader here at start (``samphan.analytics.purchases``),
as it does for sales (``samphan.sales.purchases``).
"""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderFacts:
    order_count: int = 0
    last_purchase_at: dt.datetime | None = None


OrderFactsReader = Callable[[Collection[int]], dict[int, OrderFacts]]
_readers: list[OrderFactsReader] = []


def order_facts_register(reader: OrderFactsReader) -> None:
    _readers[:] = [reader]


def order_facts(ids: Collection[int]) -> dict[int, OrderFacts]:
    """Each customer's order count and last purchase (one query); absent: no orders."""
    if not _readers or not ids:
        return {}
    return _readers[0](ids)
