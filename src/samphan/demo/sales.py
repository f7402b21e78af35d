"""Demo sales: a catalogue, three years of orders, deals in every stage, leads, quotations.

Orders, deals and leads are built per customer by the same batch builder as the customers
(so in the worker processes) and written by the same COPY/``executemany`` path. Patterns a
sales team would recognise are built in on purpose:

- spend is Pareto-shaped: order counts are Pareto draws and basket sizes lognormal, and
  companies buy less often but much more (cases, on the field and phone channels), so a
  fifth of the customers bring most of the revenue;
- each repeat customer has a habit: a weekday, an hour and an interval (7, 14 or 30
  days, with jitter), so "usually comes on Mondays" shows in the data;
- baskets are drawn from families of products bought together, with a weaker link to a
  companion family, so "bought X also bought Y" has signal;
- about 1% of orders are refunded (wholly or one line returned), 0.5% cancelled.

``--customers 1000000`` gives about 20 million order lines (20 per customer on average).
"""

import datetime as dt
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any, NamedTuple

from django.db import connection

from samphan.core import sql
from samphan.core.money import to_baht
from samphan.customers.models import Customer
from samphan.demo import catalogue
from samphan.demo.pipeline import DealBuilder, LeadBuilder
from samphan.demo.sales_rows import BANGKOK, ProductRow, SalesPlan, SalesRows
from samphan.sales.services.order_lines import LineAmounts, line_amounts

HISTORY_DAYS = 3 * 365
DEAL_SHARE_PERSON = 0.015  # with companies at 0.12: about 3% of all customers have a deal
DEAL_SHARE_COMPANY = 0.12
WEEKDAY_WEIGHTS = [12, 11, 11, 12, 16, 20, 18]  # Monday … Sunday: the store is busiest at weekends
B2B_WEEKDAY_WEIGHTS = [22, 22, 22, 22, 12, 0, 0]
PERSON_FAMILY_WEIGHTS = [25, 10, 20, 18, 12, 10, 5]  # as catalogue.PERSON_FAMILIES
PERSON_CHANNELS = (["store", "online", "line", "phone"], [55, 20, 15, 10])
COMPANY_CHANNELS = (["field", "phone", "online"], [55, 35, 10])
ZERO = Decimal("0.00")
Totals = tuple[Decimal, Decimal, Decimal, Decimal]  # revenue, cost, profit, VAT


class Weighted:
    """A weighted draw with one bisect, for the per-line hot path (``random.choices``
    adds the weights up again on every call)."""

    def __init__(self, values: list[int], weights: list[int]) -> None:
        self.values = values
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> int:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


PERSON_QUANTITY = Weighted([1, 2, 3, 4, 6], [70, 18, 6, 3, 3])
COMPANY_QUANTITY = Weighted([1, 2, 3, 5, 10, 20], [25, 25, 20, 15, 10, 5])
PERSON_DISCOUNT = Weighted([0, 1, 2], [88, 8, 4])  # none, 5%, 10%
COMPANY_DISCOUNT = Weighted([0, 1, 2], [60, 25, 15])


def datetime_adapter() -> Callable[[dt.datetime], Any]:
    """``adapt_datetimefield_value`` without its per-call checks (millions of calls):
    SQLite gets the same UTC text, PostgreSQL the aware datetime as it is."""
    if sql.is_postgresql():
        return connection.ops.adapt_datetimefield_value
    return lambda at: str(at.astimezone(dt.UTC).replace(tzinfo=None))


# -- Worker: rows for one customer -----------------------------------------------------------


@dataclass
class Buyer:
    """A customer's buying habits, drawn once."""

    customer_id: int
    company: bool
    owner_id: int | None
    families: list[str]
    channel: str
    weekday: int
    hour: int
    basket: float


class SalesBuilder:
    """Rows of orders, deals and leads for the customers of one batch. Touches no database."""

    def __init__(self, plan: SalesPlan, rng: random.Random, now: dt.datetime) -> None:
        self.plan = plan
        self.rng = rng
        self.now = now
        self.today = now.astimezone(BANGKOK).date()
        self.rows = SalesRows()
        self.adapt = datetime_adapter()
        self.prices: dict[tuple[int, int, int], Priced] = {}
        self.families = self._families(plan.products)
        self.by_id = {product.id: product for product in plan.products}

    @staticmethod
    def _families(products: tuple[ProductRow, ...]) -> dict[str, tuple[list[int], list[int]]]:
        """Per family: product positions and cumulative popularity, for weighted draws."""
        families: dict[str, tuple[list[int], list[int]]] = {}
        for position, product in enumerate(products):
            members, weights = families.setdefault(product.family, ([], []))
            members.append(position)
            weights.append(product.popularity)
        return {
            name: (members, list(accumulate(weights)))
            for name, (members, weights) in families.items()
        }

    def add(self, customer: Customer) -> None:
        rng = self.rng
        company = customer.kind == Customer.Kind.COMPANY
        stage = customer.stage
        if stage in (Customer.Stage.CUSTOMER, Customer.Stage.INACTIVE):
            self.orders(self.buyer(customer, company), customer.created_at, stage)
        if rng.random() < (DEAL_SHARE_COMPANY if company else DEAL_SHARE_PERSON):
            DealBuilder(self, customer, company).add()
        LeadBuilder(self).add(customer)

    # -- Orders --------------------------------------------------------------------------------

    def buyer(self, customer: Customer, company: bool) -> Buyer:
        rng = self.rng
        if company:
            families = list(
                catalogue.INDUSTRY_FAMILIES.get(
                    customer.industry, catalogue.DEFAULT_BUSINESS_FAMILIES
                )
            )
            channel = rng.choices(*COMPANY_CHANNELS)[0]
            weekday = rng.choices(range(7), B2B_WEEKDAY_WEIGHTS)[0]
            hour, basket = rng.randint(9, 15), rng.uniform(6, 15)
        else:
            count = rng.choice([1, 1, 2, 2, 3])
            families = list(
                dict.fromkeys(
                    rng.choices(catalogue.PERSON_FAMILIES, PERSON_FAMILY_WEIGHTS, k=count)
                )
            )
            channel = rng.choices(*PERSON_CHANNELS)[0]
            weekday = rng.choices(range(7), WEEKDAY_WEIGHTS)[0]
            hour = rng.choice([10, 11, 12, 13, 16, 17, 18, 18, 19, 19, 20])
            basket = min(14.0, rng.lognormvariate(1.2, 0.5))
        return Buyer(
            customer_id=customer.pk,
            company=company,
            owner_id=customer.owner_id,
            families=families,
            channel=channel,
            weekday=weekday,
            hour=hour,
            basket=basket,
        )

    def schedule(self, buyer: Buyer, start: dt.date, end: dt.date) -> list[dt.date]:
        """Order days between ``start`` and ``end``: a habitual interval with jitter, on the
        habitual weekday four times in five (the others a day either side)."""
        rng = self.rng
        span = (end - start).days
        if span < 1:
            return []
        if rng.random() < (0.1 if buyer.company else 0.2):  # one-off buyers
            offsets = sorted(rng.randrange(span) for _ in range(rng.choice([1, 1, 1, 2])))
        else:
            interval = rng.choices([14, 30, 60] if buyer.company else [7, 14, 30], [25, 40, 35])[0]
            wanted = 2 + int(rng.paretovariate(1.6 if buyer.company else 1.25) * 3)
            count = max(1, min(span // interval, wanted))
            room = span - (count - 1) * interval
            # Half the habits run up to now (active customers); others lapsed somewhere.
            first = room - 1 if rng.random() < 0.5 else rng.randrange(max(room, 1))
            offsets = [
                first + index * interval + round(rng.gauss(0, interval / 10))
                for index in range(count)
            ]
        days = []
        for offset in offsets:
            day = start + dt.timedelta(days=min(max(offset, 0), span))
            shift = (buyer.weekday - day.weekday()) % 7
            shift = shift - 7 if shift > 3 else shift
            if rng.random() < 0.2:
                shift += rng.choice([-1, 1])
            day += dt.timedelta(days=shift)
            if start <= day <= end:
                days.append(day)
        return sorted(set(days))

    def orders(self, buyer: Buyer, created_at: dt.datetime, stage: str) -> None:
        start = max(created_at.astimezone(BANGKOK).date(), self.today - dt.timedelta(HISTORY_DAYS))
        end = self.today
        if stage == Customer.Stage.INACTIVE:
            end = self.today - dt.timedelta(days=self.rng.randint(200, 500))
        days = self.schedule(buyer, start, end)
        for number, day in enumerate(days, start=1):
            self.order(buyer, day, number)

    def order(self, buyer: Buyer, day: dt.date, number: int) -> None:
        rng = self.rng
        local_id = len(self.rows.orders)
        minute = rng.randrange(60)
        hour = min(20, max(9, buyer.hour + round(rng.gauss(0, 0.8))))
        at = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)
        earlier = rng.randint(5, 600)  # drawn always: the stream must not follow the clock
        if at > self.now:
            at = self.now - dt.timedelta(minutes=earlier)
        channel = buyer.channel if rng.random() < 0.8 else rng.choice(["store", "online", "line"])
        totals, lines = self.basket(buyer, local_id)
        status = "paid"
        draw = rng.random()
        if draw < 0.005:
            status = "cancelled"
        elif draw < 0.008:
            status = "refunded"
        elif draw < 0.015:
            totals = self.refund_line(local_id, lines[0], totals)
        revenue, cost, profit, vat = totals
        total = revenue + vat
        order_number = f"SO-{at.year}-D{buyer.customer_id:06d}-{number:03d}"  # never a next_number
        at_value = self.adapt(at)
        sold_by = buyer.owner_id if channel in ("field", "phone", "line") else None
        self.rows.orders.append(
            (local_id, order_number, None, buyer.customer_id, at_value, channel, status,
             sold_by, "", str(revenue), str(cost), str(profit), str(vat), str(total), at_value,
             at_value)
        )  # fmt: skip

    def basket(self, buyer: Buyer, local_id: int) -> tuple[Totals, list["Priced"]]:
        """The order's lines; returns its revenue, cost, profit and VAT, and the lines."""
        rng = self.rng
        size = max(1, round(rng.gauss(buyer.basket, buyer.basket * 0.35)))
        anchor = rng.choice(buyer.families)
        chosen: dict[int, None] = {}
        for _ in range(size * 3):
            if len(chosen) >= size:
                break
            draw = rng.random()
            family = anchor
            if draw > 0.9:
                family = rng.choice(buyer.families)
            elif draw > 0.72:
                family = rng.choice(catalogue.COMPANIONS[anchor])
            members, cumulative = self.families[family]
            chosen[members[bisect(cumulative, rng.random() * cumulative[-1])]] = None
        revenue = cost = profit = vat = ZERO
        lines = []
        for position in chosen:
            if buyer.company:
                quantity, discount = COMPANY_QUANTITY.draw(rng), COMPANY_DISCOUNT.draw(rng)
            else:
                quantity, discount = PERSON_QUANTITY.draw(rng), PERSON_DISCOUNT.draw(rng)
            line = self.priced(position, quantity, discount)
            self.rows.order_lines.append((local_id, *line.row))
            lines.append(line)
            revenue, cost, profit, vat = (
                revenue + line.revenue, cost + line.cost, profit + line.profit, vat + line.vat
            )  # fmt: skip
        return (revenue, cost, profit, vat), lines

    def priced(self, position: int, quantity: int, discount: int) -> "Priced":
        """A line computed by the services' own ``line_amounts`` once per product, quantity
        and discount (none, 5% or 10%), then reused."""
        key = (position, quantity, discount)
        line = self.prices.get(key)
        if line is None:
            product = self.plan.products[position]
            amount = quantity * product.price
            off = to_baht(amount * Decimal(("0", "0.05", "0.10")[discount])).quantize(Decimal("1"))
            line = self._line(product, Decimal(quantity), product.price, Decimal(off))
            self.prices[key] = line
        return line

    def _line(
        self,
        product: ProductRow,
        quantity: Decimal,
        price: Decimal,
        discount: Decimal,
        *,
        refund: bool = False,
    ) -> "Priced":
        amounts = line_amounts(
            quantity=quantity,
            unit_price=price,
            discount=discount,
            unit_cost=product.cost,
            price_includes_vat=product.includes_vat,
            is_refund=refund,
        )
        # Numbers go to the database as text: SQLite would call Python's Decimal adapter
        # for each of 8 values of 20 million rows; COPY reads text anyway.
        row = (
            product.id, refund, str(quantity), str(to_baht(price)), product.includes_vat,
            str(to_baht(discount)), str(product.cost), str(amounts.revenue), str(amounts.cost),
            str(amounts.profit), str(amounts.vat),
        )  # fmt: skip
        return Priced(row, product, quantity, price, discount, *astuple_amounts(amounts))

    def refund_line(self, local_id: int, first: "Priced", totals: Totals) -> Totals:
        """One unit of the order's first line returned at the price paid (as
        ``order_refund`` does); returns the order's totals after it."""
        paid = to_baht((first.quantity * first.price - first.discount) / first.quantity)
        refund = self._line(first.product, Decimal(1), paid, ZERO, refund=True)
        self.rows.order_lines.append((local_id, *refund.row))
        return (
            totals[0] + refund.revenue, totals[1] + refund.cost, totals[2] + refund.profit,
            totals[3] + refund.vat,
        )  # fmt: skip


class Priced(NamedTuple):
    """An order line: its row for the database and the numbers an order sums."""

    row: tuple[Any, ...]
    product: ProductRow
    quantity: Decimal
    price: Decimal
    discount: Decimal
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal


def astuple_amounts(amounts: LineAmounts) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return amounts.revenue, amounts.cost, amounts.profit, amounts.vat
