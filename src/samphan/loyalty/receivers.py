"""Loyalty follows the apps below it through their signals, sent inside the writing
transaction, so points are written with the orders that earn them: new orders earn, a
refund or a change of status settles the order again, and a merge (which moves ledger
rows between customers) recomputes the balances it touched. Connected by ``ready``."""

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError

from samphan.customers.models import Customer
from samphan.customers.signals import customer_changed, history_changed
from samphan.loyalty.models import Referral, TierChange
from samphan.loyalty.services import members_rebuild, orders_earn, orders_settle
from samphan.loyalty.services.referrals import referral_link, referrals_hold
from samphan.sales.models import Order
from samphan.sales.signals import order_refunded, orders_recorded, orders_status_changed


def on_orders_recorded(sender: Any, *, orders: Sequence[Order], **kwargs: Any) -> None:
    buyers = orders_earn(orders)
    # Only a customer someone referred can have a referral waiting: most orders ask nothing.
    referred = [pk for pk, customer in buyers.items() if customer.referred_by_id]
    if referred:
        referrals_hold(referred)


def on_order_refunded(sender: Any, *, order: Order, **kwargs: Any) -> None:
    orders_settle([order])


def on_orders_status_changed(sender: Any, *, orders: Sequence[Order], **kwargs: Any) -> None:
    orders_settle(orders)


def on_history_changed(sender: Any, *, customer_ids: list[int], **kwargs: Any) -> None:
    if sender is Customer:  # a merge or its undo moved rows (a visit's edit moves none)
        members_rebuild(customer_ids)


def on_customer_changed(
    sender: Any, *, customer: Customer, changes: dict[str, Any], actor: Any, **kwargs: Any
) -> None:
    """Staff named who referred the customer: the programme's referral follows, unless
    one is already under way or the rules refuse the link (the name stays either way).
    Staff set the tier: it goes into the tier history."""
    if "referred_by" in changes and customer.referred_by_id:
        referrer = Customer.objects.filter(pk=customer.referred_by_id).first()
        with suppress(ValidationError):
            referral_link(actor=actor, referrer=referrer, friend=customer,
                          channel=Referral.Channel.STAFF)  # fmt: skip
    before, after = changes.get("tier", [None, None])
    if after and (before or Customer.Tier.NONE) != after:
        TierChange.objects.create(customer=customer, from_tier=before or Customer.Tier.NONE,
                                  to_tier=after, reason=TierChange.Reason.STAFF)  # fmt: skip


def connect() -> None:
    orders_recorded.connect(on_orders_recorded, dispatch_uid="loyalty.orders_recorded")
    order_refunded.connect(on_order_refunded, dispatch_uid="loyalty.order_refunded")
    orders_status_changed.connect(on_orders_status_changed, dispatch_uid="loyalty.status")
    history_changed.connect(on_history_changed, dispatch_uid="loyalty.history")
    customer_changed.connect(on_customer_changed, dispatch_uid="loyalty.customer_changed")
