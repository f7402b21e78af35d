"""The plain data of the demo's sales, shared by the main process and the workers: the
plan (products, the default pipeline) the main process makes, the rows a worker's
builders fill (``demo.sales`` for orders, ``demo.pipeline`` for deals and leads), and
their writing, inside the loader's transaction."""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from samphan.core.bulk import insert_rows
from samphan.demo import catalogue
from samphan.sales.models import Category, Lead, Order, Product, Stage
from samphan.sales.pipelines import pipeline_ensure_default

BANGKOK = dt.timezone(dt.timedelta(hours=7))  # Thailand keeps no daylight saving time

ORDER_COLUMNS = [
    "id", "number", "external_id", "customer_id", "ordered_at", "channel", "status",
    "sold_by_id", "note", "revenue", "cost", "profit", "vat", "total", "created_at", "updated_at",
]  # fmt: skip
AT = ORDER_COLUMNS.index("ordered_at")
LINE_COLUMNS = [
    "order_id", "product_id", "is_refund", "quantity", "unit_price", "price_includes_vat",
    "discount", "unit_cost", "revenue", "cost", "profit", "vat",
]  # fmt: skip
DEAL_COLUMNS = [
    "id", "title", "customer_id", "pipeline_id", "stage_id", "amount", "expected_close",
    "owner_id", "team_id", "source", "close_reason", "stage_entered_at", "closed_at", "notes",
    "created_at", "updated_at",
]  # fmt: skip
DEAL_LINE_COLUMNS = ["deal_id", "product_id", "quantity", "unit_price", "discount"]
STAGE_CHANGE_COLUMNS = ["deal_id", "from_stage_id", "to_stage_id", "at", "by_id"]
LEAD_COLUMNS = [
    "customer_id", "status", "source", "campaign", "message", "owner_id", "team_id",
    "assigned_at", "closed_at", "close_reason", "deal_id", "matched_existing", "unconfirmed_match",
    "sender_hash", "created_at", "updated_at",
]  # fmt: skip


@dataclass(frozen=True)
class ProductRow:
    id: int
    family: str
    price: Decimal
    cost: Decimal
    includes_vat: bool
    popularity: int


@dataclass(frozen=True)
class SalesPlan:
    """What the sales builder needs, as plain data a worker process can receive."""

    products: tuple[ProductRow, ...]
    pipeline_id: int
    stages: tuple[tuple[int, str], ...]  # (id, outcome) of the default pipeline, in order


@dataclass
class SalesRows:
    """A batch's sales rows; orders and deals are numbered from 0 within the batch."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    order_lines: list[tuple[Any, ...]] = field(default_factory=list)
    deals: list[tuple[Any, ...]] = field(default_factory=list)
    deal_lines: list[tuple[Any, ...]] = field(default_factory=list)
    stage_changes: list[tuple[Any, ...]] = field(default_factory=list)
    leads: list[tuple[Any, ...]] = field(default_factory=list)

    def orders_in_time_order(self) -> None:
        """Renumber the orders (and their lines) in the order they were made, as a shop's
        database receives them. Built customer by customer, they would be written so: each
        customer's orders one after the other, which packs the orders' index on (customer,
        time) full, and every later order then splits a page of it (imports measured at
        a million customers slowed by that, not by anything a real shop has)."""
        by_time = sorted(range(len(self.orders)), key=lambda local_id: self.orders[local_id][AT])
        renumbered = {old: new for new, old in enumerate(by_time)}
        self.orders = [(new, *self.orders[old][1:]) for new, old in enumerate(by_time)]
        self.order_lines = sorted(
            ((renumbered[line[0]], *line[1:]) for line in self.order_lines),
            key=lambda line: line[0],
        )


class BatchBuilder(Protocol):
    """What the deal and lead builders (``demo.pipeline``) use of a batch's builder."""

    plan: SalesPlan
    rows: SalesRows
    rng: random.Random
    now: dt.datetime
    adapt: Callable[[dt.datetime], Any]
    families: dict[str, tuple[list[int], list[int]]]


# -- Main process: the catalogue and the plan ------------------------------------------------


def catalogue_ensure() -> tuple[ProductRow, ...]:
    """The demo products, created once by SKU (changes made since are kept)."""
    categories = {
        key: Category.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]
        for key, (name, name_en) in catalogue.CATEGORIES.items()
    }
    existing = Product.objects.in_bulk([row[0] for row in catalogue.PRODUCTS], field_name="sku")
    Product.objects.bulk_create(
        Product(
            sku=sku,
            name=name,
            name_en=name_en,
            category=categories[category],
            unit=unit,
            list_price=price,
            unit_cost=cost,
            price_includes_vat=includes_vat,
        )
        for sku, name, name_en, category, unit, price, cost, includes_vat, *_ in catalogue.PRODUCTS
        if sku not in existing
    )
    found = Product.objects.in_bulk([row[0] for row in catalogue.PRODUCTS], field_name="sku")
    return tuple(
        ProductRow(
            id=found[sku].pk,
            family=family,
            price=found[sku].list_price,
            cost=found[sku].unit_cost,
            includes_vat=found[sku].price_includes_vat,
            popularity=popularity,
        )
        for sku, *_, family, popularity in catalogue.PRODUCTS
    )


def sales_plan() -> SalesPlan:
    pipeline_ensure_default()
    stages = Stage.objects.filter(pipeline__is_default=True).order_by("position", "id")
    return SalesPlan(
        products=catalogue_ensure(),
        pipeline_id=stages[0].pipeline_id,
        stages=tuple((stage.pk, stage.outcome) for stage in stages),
    )


# -- Main process: writing a batch, and what follows the load --------------------------------


@dataclass
class Offsets:
    """Where the next batch's orders and deals start (ids are given by the writer)."""

    order: int
    deal: int


def write_sales(rows: SalesRows, offsets: Offsets) -> None:
    """Write a batch's sales rows inside the caller's transaction, orders and deals at the
    ids the offsets give (their local numbers shifted in the statement)."""
    from samphan.sales.models import Deal as DealModel
    from samphan.sales.models import DealLine, DealStageChange, OrderLine

    insert_rows(Order, ORDER_COLUMNS, rows.orders, shift={0: offsets.order})
    insert_rows(OrderLine, LINE_COLUMNS, rows.order_lines, shift={0: offsets.order})
    insert_rows(DealModel, DEAL_COLUMNS, rows.deals, shift={0: offsets.deal})
    insert_rows(DealLine, DEAL_LINE_COLUMNS, rows.deal_lines, shift={0: offsets.deal})
    insert_rows(DealStageChange, STAGE_CHANGE_COLUMNS, rows.stage_changes, shift={0: offsets.deal})
    insert_rows(Lead, LEAD_COLUMNS, rows.leads)
    offsets.order += len(rows.orders)
    offsets.deal += len(rows.deals)
