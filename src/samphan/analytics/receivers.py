"""Every trigger of the analytics roll-ups, in one place: analytics follows the apps below
it through their signals, which they send inside the writing transaction (they may not
import analytics), so the roll-ups are written in the same one. Connected by the app's
``ready``.

From customers: a visit logged, history changed (a visit edited or deleted, a merge).
From sales: orders recorded, a refund, a change of status. Changes to orders already
written also move ``OrdersVersion`` (``analytics.columns``), as does a deletion of orders,
which only the ORM's signal sees (a customer's deletion cascades to them).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models.signals import post_delete

from samphan.analytics import columns, rfm, rollups
from samphan.customers.models import Customer
from samphan.customers.signals import history_changed, visit_logged
from samphan.sales.models import Order
from samphan.sales.signals import order_refunded, orders_recorded, orders_status_changed


def on_visit_logged(
    sender: Any, *, customer_id: int, occurred_at: dt.datetime, **kwargs: Any
) -> None:
    rollups.activity_add(customer_id, occurred_at, visit=True)
    rollups.hourly_add(occurred_at, visits=1)


def on_history_changed(
    sender: Any,
    *,
    customer_ids: list[int],
    moments: Iterable[dt.datetime | None] = (),
    **kwargs: Any,
) -> None:
    rollups.activity_refresh(customer_ids)
    rollups.hourly_refresh(rollups.local_date(moment) for moment in moments if moment)
    if sender is Customer:  # a merge moved orders (a visit's edit moves none)
        rollups.marks_refresh(customer_ids)
        columns.orders_changed()
        rfm.rfm_rescore(customer_ids)


def on_orders_recorded(
    sender: Any, *, orders: Sequence[Order], batch: bool = False, **kwargs: Any
) -> None:
    """New paid orders (plain inserts: the columns append them without a new version)."""
    if batch:
        rollups.orders_added(orders)
        rollups.marks_refresh(order.customer_id for order in orders)
        return
    for order in orders:
        rollups.order_recorded(order)


def on_order_refunded(
    sender: Any, *, order: Order, revenue: Decimal, profit: Decimal, **kwargs: Any
) -> None:
    columns.orders_changed()
    rollups.refund_recorded(order, revenue=revenue, profit=profit)


def on_orders_status_changed(sender: Any, *, orders: Sequence[Order], **kwargs: Any) -> None:
    columns.orders_changed()
    rollups.orders_changed(orders)
    rollups.marks_refresh(order.customer_id for order in orders)


def on_order_deleted(sender: Any, **kwargs: Any) -> None:
    """An order deleted, by a customer's cascade (no service deletes orders)."""
    columns.orders_changed()


def connect() -> None:
    visit_logged.connect(on_visit_logged, dispatch_uid="analytics.visit")
    history_changed.connect(on_history_changed, dispatch_uid="analytics.history")
    orders_recorded.connect(on_orders_recorded, dispatch_uid="analytics.orders_recorded")
    order_refunded.connect(on_order_refunded, dispatch_uid="analytics.order_refunded")
    orders_status_changed.connect(on_orders_status_changed, dispatch_uid="analytics.status")
    post_delete.connect(on_order_deleted, sender=Order, dispatch_uid="analytics.order")
