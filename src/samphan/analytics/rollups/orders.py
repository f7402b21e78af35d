"""What the sales app's signals bring (``samphan.analytics.receivers``): one new order,
a refund, orders cancelled or restored; and every roll-up rebuilt."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction

from samphan.analytics.rollups.activity import (
    Purchases,
    activity_add,
    activity_rebuild,
    activity_recount,
    activity_refresh,
    new_day_added,
    sums_params,
    sums_update,
)
from samphan.analytics.rollups.common import Along, day_param, local_date
from samphan.analytics.rollups.daily import DAILY_UPSERT, daily_add, daily_rebuild, daily_refresh
from samphan.analytics.rollups.hourly import HOURLY_UPSERT, hourly_rebuild, hourly_refresh
from samphan.analytics.rollups.marks import marks_rebuild, marks_recount_sql
from samphan.core import sql
from samphan.sales.models import Order


def order_recorded(order: Order) -> None:
    """A new paid order: its customer bought this much and came that day, its day sold
    this much, and the customer's purchase marks (the funnel's) are recounted."""
    at = order.ordered_at
    local = at.astimezone(sql.zone())
    day = day_param(local.date())
    # Each statement is a round trip on PostgreSQL: the day's and hour's upserts and the
    # marks' recount ride with the customer's update there, so the usual order is one
    # statement in all.
    along = Along(
        {"daily": DAILY_UPSERT, "hourly": HOURLY_UPSERT, "marks": marks_recount_sql()},
        [
            [day, order.channel, order.revenue, order.profit, 1],
            [day, local.hour, 1, 0],
            [order.customer_id],
        ],
    )
    if sql.chains_writes() and local.date() < dt.datetime.now(local.tzinfo).date():
        # Dated before today: most likely before the customer's last day, which only a
        # recount gets right; sent at once, it saves the two statements that would find
        # that out first (a failed update and a read), which cost round trips only where
        # the writes ride along.
        activity_recount(order.customer_id, along=along)
        return
    if not new_day_added(order, along=along):
        bought = Purchases(order.customer_id, order.revenue, order.profit, 1, at, at)
        activity_add(order.customer_id, at, visit=False, bought=bought)


def refund_recorded(order: Order, *, revenue: Decimal, profit: Decimal) -> None:
    """Refund lines added to a paid order (negative amounts): its customer's sums and its
    day's lose them; the order still counts, on the day it was made."""
    at = order.ordered_at
    refunded = Purchases(order.customer_id, revenue, profit, 0, at, at)
    with connection.cursor() as cursor:
        cursor.execute(sums_update(""), [*sums_params(refunded, connection.ops), order.customer_id])
    daily_add(at, order.channel, revenue=revenue, profit=profit, orders=0)


def orders_changed(orders: Iterable[Order]) -> None:
    """Orders cancelled or restored: recompute their customers and days."""
    orders = list(orders)
    activity_refresh(order.customer_id for order in orders)
    days = {local_date(order.ordered_at) for order in orders}
    daily_refresh(days)
    hourly_refresh(days)


@transaction.atomic
def analytics_rebuild() -> dict[str, int]:
    """Every analytics roll-up from scratch."""
    return {
        "customers": activity_rebuild(),
        "days": daily_rebuild(),
        "hours": hourly_rebuild(),
        "purchase marks": marks_rebuild(),
    }
