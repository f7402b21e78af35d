"""Keeping the roll-ups: per customer (``CustomerActivity``: purchases summed, visits,
days; ``activity``), per day and channel (``DailySales``; ``daily``), per day and hour
(``HourlyTraffic``; ``hourly``), per customer for the funnel (``PurchaseMarks``;
``marks``). ``orders`` follows the sales app's signals one order at a
time, ``batch`` a batch of new orders; ``samphan.analytics.receivers`` calls them.

Writes call these inside their own transaction. The common case is cheap: an order or a
visit later than everything before it adds to counters in one or two statements, and a
batch of new orders adds its sums per day and hour, and per customer with the one new day
it works into their row, wherever it falls (an import of old history probes the days
around it): one statement a customer. A customer's sums and days are one row, so that an
order changes one row (one page; one new row version on PostgreSQL).
Anything else (a back-dated single order or visit, a cancellation, an edited or deleted
visit, a merge) recomputes the customers or days it touched with the same set-based SQL
that rebuilds everything; the property test holds both ways to the rebuild.
"""

from samphan.analytics.rollups.activity import (
    Purchases,
    activity_add,
    activity_fill,
    activity_rebuild,
    activity_refresh,
)
from samphan.analytics.rollups.batch import orders_added
from samphan.analytics.rollups.common import day_bounds, local_date
from samphan.analytics.rollups.daily import daily_add, daily_rebuild, daily_refresh
from samphan.analytics.rollups.hourly import hourly_add, hourly_rebuild, hourly_refresh
from samphan.analytics.rollups.marks import (
    marks_fill,
    marks_rebuild,
    marks_recount,
    marks_refresh,
)
from samphan.analytics.rollups.orders import (
    analytics_rebuild,
    order_recorded,
    orders_changed,
    refund_recorded,
)

__all__ = [
    "Purchases",
    "activity_add",
    "activity_fill",
    "activity_rebuild",
    "activity_refresh",
    "analytics_rebuild",
    "daily_add",
    "daily_rebuild",
    "daily_refresh",
    "day_bounds",
    "hourly_add",
    "hourly_rebuild",
    "hourly_refresh",
    "local_date",
    "marks_fill",
    "marks_rebuild",
    "marks_recount",
    "marks_refresh",
    "order_recorded",
    "orders_added",
    "orders_changed",
    "refund_recorded",
]
