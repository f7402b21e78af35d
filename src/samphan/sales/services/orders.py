"""Orders: recorded one at a time (their lines priced and checked by ``order_lines``),
returns, status; each write announces itself (``samphan.sales.signals``), which keeps the
roll-ups."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.core.money import format_baht, to_baht
from samphan.core.numbering import next_number
from samphan.customers.lifecycle import Purchase, customers_promote, may_become_customer
from samphan.customers.models import Customer
from samphan.sales.models import ZERO, Order
from samphan.sales.services.order_lines import (
    LineInput,
    PricedLine,
    ProductPrice,
    add_totals,
    build_lines,
    product_prices,
)
from samphan.sales.services.order_rows import lines_insert, orders_insert, orders_written
from samphan.sales.signals import order_refunded, orders_status_changed

# Within the money columns (14 digits, 2 decimals), with room for an order's sum.
MAX_ORDER_TOTAL = Decimal("1000000000000")
CHANNELS = frozenset(Order.Channel.values)
TEXT_FIELDS = {
    name: cast(Field[Any, Any], Order._meta.get_field(name)) for name in ("external_id", "note")
}
ORDER_PREFIX = "SO"


@dataclass(frozen=True)
class OrderInput:
    """One order as a POS, the API or an import gives it."""

    customer: int  # id
    channel: str
    lines: Sequence[LineInput]
    ordered_at: dt.datetime | None = None
    external_id: str | None = None
    note: str = ""


def purchase_summary(number: str, total: Decimal) -> str:
    """The timeline's line for an order (``samphan.sales.timeline``)."""
    return _("Order %(number)s: %(total)s") % {"number": number, "total": format_baht(total)}


# -- Orders -----------------------------------------------------------------------------------


def order_record(
    *,
    actor: User | None,
    customer: Customer,
    lines: Sequence[LineInput],
    channel: str,
    ordered_at: dt.datetime | None = None,
    external_id: str | None = None,
    sold_by: User | None = None,
    note: str = "",
) -> tuple[Order, bool]:
    """Record a paid order; returns ``(order, created)``.

    With an ``external_id`` already recorded, returns that order and writes nothing, so a
    POS that retries a POST never doubles a sale. The unique index on the external id
    finds the repeat (no read first: most pushes are new orders, and this runs for each);
    a retry whose checks now fail (an archived customer) still gets its order back.
    """
    external_id = (external_id or "").strip() or None
    try:
        # Checked before the transaction (nothing is written yet), so that a new order
        # without an external id needs no savepoint of its own: only a repeated external
        # id's failed insert has anything to roll back to and go on from.
        order, built = _order_checked(
            customer=customer,
            lines=lines,
            channel=channel,
            ordered_at=ordered_at or timezone.now(),
            external_id=external_id,
            note=note,
        )
        with transaction.atomic(savepoint=external_id is not None):
            _order_write(actor=actor, customer=customer, order=order, built=built, sold_by=sold_by)
            return order, True
    except (IntegrityError, ValidationError):
        if external_id and (existing := Order.objects.filter(external_id=external_id).first()):
            return existing, False
        raise


def _order_checked(
    *,
    customer: Customer,
    lines: Sequence[LineInput],
    channel: str,
    ordered_at: dt.datetime,
    external_id: str | None,
    note: str,
) -> tuple[Order, list[PricedLine]]:
    wanted = OrderInput(
        customer=customer.pk,
        channel=channel,
        lines=lines,
        ordered_at=ordered_at,
        external_id=external_id,
        note=note,
    )
    return order_checked(wanted, archived=customer.is_archived, products=product_prices(lines))


def _order_write(
    *,
    actor: User | None,
    customer: Customer,
    order: Order,
    built: list[PricedLine],
    sold_by: User | None,
) -> None:
    order.customer = customer
    order.sold_by = sold_by if getattr(sold_by, "pk", None) else None
    order.number = next_number(ORDER_PREFIX, timezone.localtime(order.ordered_at).year)
    # The number is fresh from its sequence and a repeated external id fails the insert
    # (handled by order_record): no uniqueness query needed first.
    orders_insert(actor=actor, orders=[(order, built)], read_back=True)
    orders_written(actor=actor, orders=[order], stages={customer.pk: customer.stage})
    if may_become_customer(customer.stage):  # promoted by orders_written
        customer.stage = Customer.Stage.CUSTOMER


def _promote(actor: User | None, order: Order) -> None:
    """Whoever pays is a customer (``samphan.customers.lifecycle``)."""
    customers_promote(
        actor=actor,
        purchases=[Purchase(order.customer_id, order.number, order.ordered_at)],
    )


def order_checked(
    wanted: OrderInput, *, archived: bool | None, products: Mapping[int | str, ProductPrice]
) -> tuple[Order, list[PricedLine]]:
    """The order (unsaved, not numbered) and its priced lines, or a ValidationError that
    names every bad field: one order of ``order_record`` or of a batch, the same rules.

    ``archived`` is whether the customer is archived, None when there is no such customer
    (or none the caller may see).
    """
    errors: dict[str, list[str]] = {}
    if archived is None:
        errors["customer"] = [_("Choose a customer you can see.")]
    elif archived:
        errors["customer"] = [_("This customer is archived.")]
    if wanted.channel not in CHANNELS:
        errors["channel"] = [_("Choose a sales channel.")]
    texts = {
        "external_id": (wanted.external_id or "").strip(),
        "note": (wanted.note or "").strip(),
    }
    for name, value in texts.items():
        try:
            TEXT_FIELDS[name].run_validators(value)  # the field's own length check
        except ValidationError as error:
            errors[name] = error.messages
    lines: list[PricedLine] = []
    try:
        lines = build_lines(wanted.lines, products=products)
    except ValidationError as error:
        errors.update(error.message_dict)
    ordered_at = wanted.ordered_at or timezone.now()
    if timezone.is_naive(ordered_at):
        ordered_at = timezone.make_aware(ordered_at)  # read in the current time zone
    order = Order(
        external_id=texts["external_id"] or None,
        customer_id=wanted.customer,
        ordered_at=ordered_at,
        channel=wanted.channel,
        note=texts["note"],
    )
    add_totals(order, lines)
    if abs(order.total) >= MAX_ORDER_TOTAL:
        errors.setdefault("lines", []).append(
            _("An order's total can be at most %(amount)s.")
            % {"amount": format_baht(MAX_ORDER_TOTAL - 1)}
        )
    if errors:
        raise ValidationError(errors)
    return order, lines


@transaction.atomic
def order_refund(*, actor: User | None, order: Order, lines: Sequence[LineInput]) -> Order:
    """Return part of a paid order as refund lines (at the price it was sold at)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PAID:
        raise ValidationError({"status": _("Only a paid order can take a return.")})
    sold = refundable_by_product(order)
    products = product_prices(lines)
    priced = []
    for line in lines:
        product = products.get(line.product)
        paid = sold.get(product.id) if product else None
        # A return is refunded at what was paid a unit, whatever the catalogue says now.
        priced.append(LineInput(line.product, line.quantity, paid[1] if paid else None))
    refund_lines = build_lines(priced, is_refund=True, products=products)
    errors = {}
    for index, refund in enumerate(refund_lines):
        left = sold.get(refund.product_id, (ZERO, ZERO))[0]
        if refund.quantity > left:
            errors[f"lines.{index}.quantity"] = [
                _("At most %(left)s can be returned.") % {"left": left.normalize()}
            ]
        else:
            sold[refund.product_id] = (left - refund.quantity, refund.unit_price)
    if errors:
        raise ValidationError(errors)
    lines_insert(order, refund_lines)
    before = order.revenue
    order.revenue = order.cost = order.profit = order.vat = ZERO
    add_totals(order, order.lines.all())
    order.save(update_fields=["revenue", "cost", "profit", "vat", "total", "updated_at"])
    refunded_profit = sum((line.profit for line in refund_lines), ZERO)
    order_refunded.send(
        sender=Order, order=order, revenue=order.revenue - before, profit=refunded_profit
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=order,
        customer_id=order.customer_id,
        changes={
            "refund_lines": [None, len(refund_lines)],
            "revenue": [str(before), str(order.revenue)],
        },
    )
    return order


def refundable_by_product(order: Order) -> dict[int, tuple[Decimal, Decimal]]:
    """Per product: the quantity sold less what was returned, and the price paid a unit."""
    left: dict[int, Decimal] = {}
    paid: dict[int, Decimal] = {}
    for line in order.lines.all():
        change = -line.quantity if line.is_refund else line.quantity
        left[line.product_id] = left.get(line.product_id, ZERO) + change
        if not line.is_refund:
            paid[line.product_id] = to_baht(
                (line.quantity * line.unit_price - line.discount) / line.quantity
            )
    return {product: (left[product], paid.get(product, ZERO)) for product in left}


@transaction.atomic
def order_set_status(*, actor: User | None, order: Order, status: str) -> Order:
    """Cancel or wholly refund an order (or restore it); the roll-up follows."""
    if status not in Order.Status.values:
        raise ValidationError({"status": _("Choose paid, refunded or cancelled.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == status:
        return order
    before = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    if status == Order.Status.PAID:  # restored: paid again; refunds and cancels demote no one
        _promote(actor, order)
    orders_status_changed.send(sender=Order, orders=[order])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=order,
        customer_id=order.customer_id,
        changes={"status": [before, status]},
    )
    return order
