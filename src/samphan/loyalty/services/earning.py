"""Points from orders: what an order earns under the programme and the rules in force,
and what it has left to earn after a refund, a cancellation or a restoration.

An order's earn row keeps its *basis* (the baht per point, each line's multiplier, the
bonus, the cap, the versions it came from). What an order should hold is always
``points_due(basis, order)``; settling an order posts the difference between that and what
its rows already sum to, so a partial refund takes back exactly what the returned lines
earned, a cancellation everything, a restoration earns it again, and settling twice posts
nothing. Reads are set-based: a batch of orders costs a fixed handful of queries, and the
lines are read only when a rule names a product or a category.
"""

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import cast

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from samphan.customers.models import Customer
from samphan.loyalty.models import EarningRule, PointsEntry, Programme
from samphan.loyalty.services.backfill import ledger_fill
from samphan.loyalty.services.ledger import Posting, post
from samphan.loyalty.services.tiers import multiplier, tiers_upgrade
from samphan.sales.models import Order, OrderLine

ONE = Decimal(1)
Basis = dict[str, object]


# What the programme and rules looked like when last read, by their version: every change
# saves a new row, so the newest ids and save times say whether a process's copy is
# current. Reading them through the ORM cost more than the rest of an order's points.
VERSION = (
    "SELECT (SELECT MAX(id) FROM loyalty_programme), (SELECT MAX(created_at) FROM "
    "loyalty_programme), (SELECT MAX(id) FROM loyalty_earningrule), "
    "(SELECT MAX(created_at) FROM loyalty_earningrule)"
)
_read: dict[tuple[object, ...], tuple[Programme, list[EarningRule]]] = {}


def in_force() -> tuple[Programme, list[EarningRule]]:
    """The programme and the active rules in force: one small statement when unchanged."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION)
        version = (*cursor.fetchone(), settings.SAMPHAN_BAHT_PER_POINT)
    found = _read.get(version)
    if found is None:
        programme = Programme.objects.order_by("-id").first() or Programme(
            baht_per_point=settings.SAMPHAN_BAHT_PER_POINT
        )
        rules = list(EarningRule.objects.filter(replaced_by=None, is_active=True).order_by("id"))
        found = (programme, rules)
        _read.clear()
        _read[version] = found
    return found


def programme_current() -> Programme:
    """The version in force (an unsaved default before anyone has saved one)."""
    return in_force()[0]


def rules_current() -> list[EarningRule]:
    return list(in_force()[1])


def expiry_date(programme: Programme, earned_on: dt.date) -> dt.date | None:
    if programme.expiry == Programme.Expiry.NEVER:
        return None
    if programme.expiry == Programme.Expiry.YEAR_END:
        return dt.date(earned_on.year + 1, 12, 31)
    month = earned_on.month - 1 + programme.expiry_months
    year, month = earned_on.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(earned_on.day, calendar.monthrange(year, month)[1]))


def plain(value: Decimal) -> str:
    """A decimal as the basis keeps it, the same however it was read: 2.00 → "2"."""
    return f"{Decimal(value).normalize():f}"


def floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Line:
    product_id: int
    category_id: int | None
    revenue: Decimal  # net of refund lines


def points_due(basis: Basis, revenue: Decimal, lines: Sequence[Line] = ()) -> int:
    """What an order with this ``basis`` and net ``revenue`` (its ``lines`` when the basis
    has multipliers by product) holds: base points, rounded down once for the order, plus
    the bonus while anything is left unrefunded, within the cap."""
    if revenue <= 0:
        return 0
    per = Decimal(str(basis["per"]))
    rate = Decimal(str(basis.get("rate", ONE)))
    rates = basis.get("rates")
    if isinstance(rates, dict) and rates:
        units = sum(
            (
                max(line.revenue, Decimal(0)) * Decimal(str(rates.get(str(line.product_id), rate)))
                for line in lines
            ),
            Decimal(0),
        )
    else:
        units = revenue * rate
    points = floor(units / per) + int(str(basis.get("bonus", 0)))
    cap = basis.get("cap")
    return min(points, int(str(cap))) if cap is not None else points


def _matches(rule: EarningRule, order: Order, customer: Customer | None, first: bool) -> bool:
    """The order-level conditions (a product's or category's are applied per line)."""
    day = timezone.localtime(order.ordered_at).date()
    customer_tier = customer.tier if customer else ""
    birthday = customer.birthday if customer else None
    return not (
        (rule.starts_on and day < rule.starts_on)
        or (rule.ends_on and day > rule.ends_on)
        or (rule.channel and rule.channel != order.channel)
        or (rule.tier and rule.tier != customer_tier)
        or (rule.weekdays and not rule.weekdays & (1 << day.weekday()))
        or (rule.birthday_month and not (birthday and birthday.month == day.month))
        or (rule.first_purchase and not first)
        or (rule.min_spend is not None and order.revenue < rule.min_spend)
    )


def _basis(
    programme: Programme,
    rules: list[EarningRule],
    order: Order,
    lines: Sequence[Line],
    customer: Customer | None,
    first: bool,
) -> Basis:
    basis: Basis = {"per": plain(programme.baht_per_point), "programme": programme.pk}
    matched = [rule for rule in rules if _matches(rule, order, customer, first)]
    whole = [r for r in matched if not r.product_id and not r.category_id]
    tier_rate = multiplier(programme, customer.tier) if customer else ONE
    rate = max([tier_rate, *(r.multiplier for r in whole)])
    if tier_rate != ONE:
        basis["tier"] = customer.tier if customer else ""
    if rate != ONE:
        basis["rate"] = plain(rate)
    rates: dict[str, str] = {}
    bonus = sum(r.bonus_points for r in whole)
    bought = [line for line in lines if line.revenue > 0]
    for rule in (r for r in matched if r.product_id or r.category_id):
        hit = [
            line
            for line in bought
            if line.product_id == rule.product_id
            or (rule.category_id and line.category_id == rule.category_id)
        ]
        if not hit:
            continue
        bonus += rule.bonus_points
        for line in hit:
            best = max(Decimal(rates.get(str(line.product_id), rate)), rule.multiplier)
            if best != rate:
                rates[str(line.product_id)] = plain(best)
        whole.append(rule)
    if rates:
        basis["rates"] = rates
    if bonus:
        basis["bonus"] = bonus
    if programme.max_points_per_order is not None:
        basis["cap"] = programme.max_points_per_order
    if whole:
        basis["rules"] = [rule.pk for rule in whole]
    return basis


def _lines(order_ids: list[int]) -> dict[int, list[Line]]:
    """Each order's net revenue by product (refund lines subtracted): one query."""
    found: dict[int, list[Line]] = defaultdict(list)
    rows = (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by()
        .values("order_id", "product_id", "product__category_id")
        .annotate(revenue=Sum("revenue"))
    )
    for row in rows:
        found[row["order_id"]].append(
            Line(row["product_id"], row["product__category_id"], row["revenue"])
        )
    return found


def _needs_lines(rules: list[EarningRule]) -> bool:
    return any(rule.product_id or rule.category_id for rule in rules)


def orders_earn(orders: Sequence[Order]) -> dict[int, Customer]:
    """New paid orders (their ids set): an earn row each with its basis and expiry.
    Returns the buyers, as read for it."""
    orders = [order for order in orders if order.status == Order.Status.PAID]
    if not orders:
        return {}
    programme, rules = in_force()
    lines = _lines([o.pk for o in orders]) if _needs_lines(rules) else {}
    customers = _customers(orders)
    first_ids = _first_orders(orders) if any(rule.first_purchase for rule in rules) else set()
    # Without rules, one basis serves every order of a tier.
    plain: dict[str, Basis] = {}
    expiries: dict[dt.date, dt.date | None] = {}
    postings = []
    for order in orders:
        order_lines = lines.get(order.pk, ())
        customer = customers.get(order.customer_id)
        if rules:
            basis = _basis(programme, rules, order, order_lines, customer, order.pk in first_ids)
        else:
            tier = customer.tier if customer else ""
            if tier not in plain:
                plain[tier] = _basis(programme, [], order, (), customer, False)
            basis = plain[tier]
        day = timezone.localtime(order.ordered_at).date()
        if day not in expiries:
            expiries[day] = expiry_date(programme, day)
        postings.append(
            Posting(
                customer_id=order.customer_id,
                kind=PointsEntry.Kind.EARN,
                cause=PointsEntry.Cause.ORDER,
                points=points_due(basis, order.revenue, order_lines),
                order_id=order.pk,
                expires_on=expiries[day],
                basis=basis,
                key=f"order:{order.pk}:1",
                note=order.number,
                at=order.ordered_at,
            )
        )
    post(postings)
    tiers_upgrade({pk: customer.tier for pk, customer in customers.items()}, programme)
    return customers


BUYER_FIELDS = {"tier", "birthday", "referred_by"}  # a partial customer loads them at once


def _customers(orders: Sequence[Order]) -> dict[int, Customer]:
    """The buyers' tier, birthday and referrer: from the orders when they carry their
    customer (one order from the till), else one query."""
    if all(
        Order.customer.is_cached(order) and not BUYER_FIELDS & order.customer.get_deferred_fields()
        for order in orders
    ):
        return {order.customer_id: order.customer for order in orders}
    ids = {order.customer_id for order in orders}
    return Customer.objects.only(*BUYER_FIELDS).in_bulk(ids)


def _first_orders(orders: Sequence[Order]) -> set[int]:
    """Which of these orders is its customer's first paid order (none paid before it)."""
    earlier = Order.objects.filter(
        customer_id=OuterRef("customer_id"), status=Order.Status.PAID
    ).filter(
        Q(ordered_at__lt=OuterRef("ordered_at"))
        | Q(ordered_at=OuterRef("ordered_at"), id__lt=OuterRef("id"))
    )
    return set(
        Order.objects.filter(pk__in=[o.pk for o in orders])
        .filter(~Exists(earlier))
        .values_list("pk", flat=True)
    )


def orders_settle(orders: Sequence[Order]) -> None:
    """Orders already written whose lines or status changed (the caller holds their rows):
    post what each should hold less what its rows sum to. An order that never earned
    (written before the ledger, or while not paid) earns now, as a new one would."""
    ids = [order.pk for order in orders]
    posted: dict[int, int] = defaultdict(int)
    rows: dict[int, int] = defaultdict(int)
    earned: dict[int, PointsEntry] = {}
    for entry in PointsEntry.objects.filter(order_id__in=ids).order_by("id"):
        order_id = cast(int, entry.order_id)
        posted[order_id] += entry.points
        rows[order_id] += 1
        if entry.kind == PointsEntry.Kind.EARN and order_id not in earned:
            earned[order_id] = entry
    orders_earn([order for order in orders if order.pk not in earned])
    known = [order for order in orders if order.pk in earned]
    with_lines = [o.pk for o in known if "rates" in (earned[o.pk].basis or {})]
    lines = _lines(with_lines) if with_lines else {}
    postings = []
    for order in known:
        first = earned[order.pk]
        due = 0
        if order.status == Order.Status.PAID:
            due = points_due(first.basis or {}, order.revenue, lines.get(order.pk, ()))
        change = due - posted[order.pk]
        if change:
            postings.append(
                Posting(
                    customer_id=order.customer_id,
                    kind=PointsEntry.Kind.REVERSE if change < 0 else PointsEntry.Kind.EARN,
                    cause=PointsEntry.Cause.REFUND if change < 0 else PointsEntry.Cause.ORDER,
                    points=change,
                    order_id=order.pk,
                    expires_on=first.expires_on,
                    key=f"order:{order.pk}:{rows[order.pk] + 1}",
                    note=order.number,
                )
            )
    post(postings)


def orders_fill(from_customer_id: int = 0) -> int:
    """Earn rows, at the base rate in force, for paid orders written as plain rows (the
    demo's), of customers from ``from_customer_id``; returns how many were written."""
    programme = programme_current()
    return ledger_fill(
        per=programme.baht_per_point,
        expiry=programme.expiry,
        months=programme.expiry_months,
        programme=programme.pk,
        from_customer_id=from_customer_id,
    )
