"""The analytics roll-ups follow the customers app's history through its signals (the
customers app may not import analytics); sales calls ``analytics.rollups`` directly.
Changes to orders already written move ``OrdersVersion`` (``analytics.columns``)."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from samphan.analytics.columns import orders_changed
from samphan.analytics.rollups import (
    activity_add,
    activity_refresh,
    hourly_add,
    hourly_refresh,
    local_date,
)
from samphan.customers.models import Customer
from samphan.customers.signals import history_changed, visit_logged
from samphan.sales.models import Order


def on_visit_logged(sender: Any, *, customer_id: int, occurred_at: Any, **kwargs: Any) -> None:
    activity_add(customer_id, occurred_at, visit=True)
    hourly_add(occurred_at, visits=1)


def on_history_changed(
    sender: Any, *, customer_ids: list[int], moments: Any = (), **kwargs: Any
) -> None:
    activity_refresh(customer_ids)
    hourly_refresh(local_date(moment) for moment in moments if moment)
    if sender is Customer:  # a merge moved orders (a visit's edit moves none)
        orders_changed()


def on_order_saved_or_deleted(sender: Any, **kwargs: Any) -> None:
    """A status change, a refund (saved through the ORM; new orders are plain inserts,
    appended to the columns without this) or a deletion, also by a customer's cascade."""
    orders_changed()


def connect() -> None:
    visit_logged.connect(on_visit_logged, dispatch_uid="analytics.visit")
    history_changed.connect(on_history_changed, dispatch_uid="analytics.history")
    post_save.connect(on_order_saved_or_deleted, sender=Order, dispatch_uid="analytics.order")
    post_delete.connect(on_order_saved_or_deleted, sender=Order, dispatch_uid="analytics.order")
