"""Orders in bulk: a POS batch or an import, checked whole, then written in one go.

The same rules as ``order_record`` (each order checked by ``order_checked``, one audit
row per order, the roll-ups right), but a fixed number of statements per batch instead
of a dozen per order: products, customers and known external ids are read once, orders,
lines and audit rows are each one bulk insert, and the roll-ups take the batch's sums per
customer, day and hour (``orders_recorded`` with ``batch``: ``samphan.sales.signals``).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.bulk import gc_paused
from samphan.core.numbering import reserve_numbers
from samphan.customers.models import Customer
from samphan.sales.models import Order
from samphan.sales.services.order_lines import PricedLine, product_prices
from samphan.sales.services.order_rows import orders_insert, orders_written
from samphan.sales.services.orders import ORDER_PREFIX, OrderInput, order_checked

Errors = dict[str, list[str]]


@dataclass
class BulkResult:
    """What a batch did, by the index of each order in the input.

    ``errors`` holds the invalid orders (``{index: {field: [messages]}}``); without
    ``partial`` any error means nothing was written. ``skipped`` are orders whose
    external id was already recorded (or repeated earlier in the same batch).
    """

    created: dict[int, Order] = field(default_factory=dict)
    skipped: dict[int, Order] = field(default_factory=dict)
    errors: dict[int, Errors] = field(default_factory=dict)
    lines: int = 0

    @property
    def written(self) -> bool:
        return bool(self.created)


@dataclass
class _Checked:
    index: int
    order: Order
    lines: list[PricedLine]
    stage: str  # its customer's, as read: who may become a customer (orders_written)


@gc_paused()
def orders_bulk_record(
    *,
    actor: User | None,
    orders: Sequence[OrderInput],
    sold_by: User | None = None,
    partial: bool = False,
    customers: QuerySet[Customer] | None = None,
) -> BulkResult:
    """Record many paid orders at once; see ``BulkResult``.

    Every order is checked before anything is written. All or nothing by default: one
    bad order and the result carries only the errors. With ``partial`` the good orders
    are written and the bad ones reported. ``customers`` limits whom orders may be for
    (the API passes the caller's visible customers). A repeated external id is skipped,
    so retrying a batch never doubles an order; a batch racing another with the same
    external ids is checked again once (the unique constraint settles the race).
    """
    result = BulkResult()
    checked = _check(orders, customers, sold_by, result.errors)
    if result.errors and not partial:
        return result
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _write(actor, checked, result)
            return result
        except IntegrityError:
            if attempt == 2:
                raise
            result.created, result.skipped, result.lines = {}, {}, 0
    return result


def _check(
    orders: Sequence[OrderInput],
    customers: QuerySet[Customer] | None,
    sold_by: User | None,
    errors: dict[int, Errors],
) -> list[_Checked]:
    """Each order built and priced (unsaved), or its errors; three queries in all."""
    products = product_prices(line for order in orders for line in order.lines)
    scope = Customer.objects.all() if customers is None else customers
    wanted = {order.customer for order in orders}
    # No ORDER BY (the models' default one): with it SQLite may walk a whole index in
    # that order rather than look the keys up (the cost: docs/performance.md).
    # The stage comes along for nothing: it says who may become a customer (no query more
    # for a batch of customers).
    found = scope.filter(pk__in=wanted).order_by().values_list("id", "archived_at", "stage")
    archived, stages = {}, {}
    for pk, archived_at, stage in found:
        archived[pk] = archived_at is not None
        stages[pk] = stage
    checked = []
    for index, order in enumerate(orders):
        try:
            built = order_checked(order, archived=archived.get(order.customer), products=products)
        except ValidationError as error:
            errors[index] = error.message_dict
            continue
        row, lines = built
        row.sold_by = sold_by if getattr(sold_by, "pk", None) else None
        checked.append(_Checked(index, row, lines, stages[order.customer]))
    return checked


def _write(actor: User | None, checked: list[_Checked], result: BulkResult) -> None:
    fresh = _skip_known(checked, result)
    if not fresh:
        return
    _number(item.order for item in fresh)
    orders_insert(actor=actor, orders=[(item.order, item.lines) for item in fresh])
    for item in fresh:
        result.created[item.index] = item.order
        result.lines += len(item.lines)
    orders_written(
        actor=actor,
        orders=[item.order for item in fresh],
        stages={item.order.customer_id: item.stage for item in fresh},
        batch=True,
    )


def _skip_known(checked: list[_Checked], result: BulkResult) -> list[_Checked]:
    """The orders to write: those whose external id is new to the database and to the batch."""
    known = known_orders([item.order.external_id for item in checked if item.order.external_id])
    fresh = []
    for item in checked:
        external_id = item.order.external_id
        if external_id and external_id in known:
            result.skipped[item.index] = known[external_id]
            continue
        if external_id:
            known[external_id] = item.order  # a repeat later in the batch is skipped too
        # A second attempt (after a race on an external id) starts from an unsaved order.
        item.order.pk = None
        item.order._state.adding = True
        fresh.append(item)
    return fresh


def known_orders(external_ids: Sequence[str]) -> dict[str, Order]:
    """The orders already recorded under these external ids, by external id (read through
    the partial unique index on ``external_id``, a thousand at a time)."""
    found: dict[str, Order] = {}
    for start in range(0, len(external_ids), 1_000):
        chunk = external_ids[start : start + 1_000]
        # No ORDER BY (the model's default one): SQLite might walk the date index for it.
        for order in Order.objects.filter(external_id__in=chunk).order_by():
            found[str(order.external_id)] = order
    return found


def _number(orders: Iterable[Order]) -> None:
    """Numbers in each order's year, reserved in one UPDATE per year, in input order."""
    by_year: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_year[timezone.localtime(order.ordered_at).year].append(order)
    for year, group in sorted(by_year.items()):
        first = reserve_numbers(ORDER_PREFIX, year, len(group))
        for offset, order in enumerate(group):
            order.number = f"{ORDER_PREFIX}-{year}-{first + offset:06d}"
