"""Loyalty follows the apps below it through their signals, sent inside the writing
transaction, so points are written with the orders that earn them: new orders earn, a
refund or a change of status settles the order again, and a merge (which moves ledger
rows between customers) recomputes the balances it touched. Connected by ``ready``."""

from collections.abc import Sequence
from typing import Any

from samphan.customers.models import Customer
from samphan.customers.signals import history_changed
from samphan.loyalty.services import members_rebuild, orders_earn, orders_settle
from samphan.sales.models import Order
from samphan.sales.signals import order_refunded, orders_recorded, orders_status_changed


def on_orders_recorded(sender: Any, *, orders: Sequence[Order], **kwargs: Any) -> None:
    orders_earn(orders)


def on_order_refunded(sender: Any, *, order: Order, **kwargs: Any) -> None:
    orders_settle([order])


def on_orders_status_changed(sender: Any, *, orders: Sequence[Order], **kwargs: Any) -> None:
    orders_settle(orders)


def on_history_changed(sender: Any, *, customer_ids: list[int], **kwargs: Any) -> None:
    if sender is Customer:  # a merge or its undo moved rows (a visit's edit moves none)
        members_rebuild(customer_ids)


def connect() -> None:
    orders_recorded.connect(on_orders_recorded, dispatch_uid="loyalty.orders_recorded")
    order_refunded.connect(on_order_refunded, dispatch_uid="loyalty.order_refunded")
    orders_status_changed.connect(on_orders_status_changed, dispatch_uid="loyalty.status")
    history_changed.connect(on_history_changed, dispatch_uid="loyalty.history")
