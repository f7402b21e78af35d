"""The tables of the full export: for each, the rows (a ``values_list`` query ordered by
id, one query however long) and the columns.

Headers are stable English names (``customer_id``, ``stage``), so another system can
read the file; a coded column is written twice, the code and, beside it under
``<name>_label``, its label in the requester's language (Thai by default), as the
customer list's export shows labels. Dates and times are ISO 8601 (times in the shop's
time zone, with the offset); money and quantities are numbers; yes/no is 1/0.

A customer whose processing is restricted (PDPA ss.32 and 34) is left out of every table
that belongs to a customer, as the list export leaves them out (``UNRESTRICTED``).
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from samphan.customers.models import ConsentRecord, ContactPoint, Customer, Interaction
from samphan.marketing.models import Campaign, Recipient
from samphan.messaging.models import Message
from samphan.sales.models import Deal, Order, OrderLine, Quote, QuoteLine

CHUNK = 2_000
Choices = Sequence[tuple[Any, Any]]


@dataclass(frozen=True)
class Column:
    header: str
    path: str
    kind: str = "text"  # text, number, date, datetime, bool, json, choice
    choices: Choices = ()


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's file name and the sheet's title
    rows: Callable[[], QuerySet[Any]]
    columns: tuple[Column, ...]

    def query(self) -> QuerySet[Any]:
        return self.rows().order_by("pk").values_list(*(c.path for c in self.columns))


def unrestricted(prefix: str = "") -> Q:
    """The rows of customers whose processing is not restricted."""
    return Q(**{f"{prefix}processing_restricted_at__isnull": True})


def choice(header: str, choices: Choices, path: str | None = None) -> Column:
    return Column(header, path or header, "choice", choices)


def money(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, name, "number") for name in names)


def when(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, name, "datetime") for name in names)


def text(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, name) for name in names)


def ids(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, name, "number") for name in names)


C = Customer
OWNED = (Column("owner", "owner__username"), Column("team", "team__name"))
CUSTOMER_END = (
    choice("stage", C.Stage.choices),
    choice("tier", C.Tier.choices),
    Column("is_vip", "is_vip", "bool"),
    choice("source", C.Source.choices),
    *ids("referred_by_id"),
    *OWNED,
    Column("custom_fields", "custom_fields", "json"),
    *text("notes"),
    *ids("merged_into_id"),
    *when("archived_at", "erased_at", "created_at", "updated_at"),
)

TABLES: tuple[Table, ...] = (
    Table(
        "customers",
        lambda: C.objects.filter(unrestricted(), kind=C.Kind.PERSON),
        (
            *ids("id"),
            *text("member_number", "title", "first_name", "last_name", "first_name_en"),
            *text("last_name_en", "nickname"),
            Column("birthday", "birthday", "date"),
            choice("gender", C.Gender.choices),
            *ids("company_id"),
            *text("job_title", "address", "province"),
            *CUSTOMER_END,
        ),
    ),
    Table(
        "companies",
        lambda: C.objects.filter(unrestricted(), kind=C.Kind.COMPANY),
        (
            *ids("id"),
            *text("member_number", "company_name", "company_name_en", "tax_id", "branch"),
            choice("industry", C.Industry.choices),
            choice("size", C.CompanySize.choices),
            *text("website", "address", "province"),
            *CUSTOMER_END,
        ),
    ),
    Table(
        "contact_points",
        lambda: ContactPoint.objects.filter(unrestricted("customer__")),
        (
            *ids("id", "customer_id"),
            choice("kind", ContactPoint.Kind.choices),
            *text("value", "label"),
            Column("is_preferred", "is_preferred", "bool"),
            *when("created_at"),
        ),
    ),
    Table(
        "customer_tags",
        lambda: C.tags.through.objects.filter(unrestricted("customer__")),
        (*ids("customer_id"), Column("tag", "tag__name")),
    ),
    Table(
        # Every record, not only those in force: the history.
        "consents",
        lambda: ConsentRecord.objects.filter(unrestricted("customer__")),
        (
            *ids("id", "customer_id"),
            choice("channel", ConsentRecord.Channel.choices),
            choice("purpose", ConsentRecord.Purpose.choices),
            choice("status", ConsentRecord.Status.choices),
            *when("at"),
            choice("source", ConsentRecord.Source.choices),
            *text("wording_version"),
            Column("recorded_by", "recorded_by__username"),
        ),
    ),
    Table(
        "interactions",
        lambda: Interaction.objects.filter(unrestricted("customer__")),
        (
            *ids("id", "customer_id"),
            choice("kind", Interaction.Kind.choices),
            *when("occurred_at"),
            Column("user", "user__username"),
            *text("channel", "summary", "body"),
            *when("created_at"),
        ),
    ),
    Table(
        "orders",
        lambda: Order.objects.filter(unrestricted("customer__")),
        (
            *ids("id"),
            *text("number", "external_id"),
            *ids("customer_id"),
            *when("ordered_at"),
            choice("channel", Order.Channel.choices),
            choice("status", Order.Status.choices),
            Column("sold_by", "sold_by__username"),
            *text("note"),
            *money("revenue", "cost", "profit", "vat", "total"),
            *when("created_at"),
        ),
    ),
    Table(
        "order_lines",
        lambda: OrderLine.objects.filter(unrestricted("order__customer__")),
        (
            *ids("id", "order_id"),
            Column("order_number", "order__number"),
            *ids("product_id"),
            Column("product_sku", "product__sku"),
            Column("product_name", "product__name"),
            Column("is_refund", "is_refund", "bool"),
            *money("quantity", "unit_price"),
            Column("price_includes_vat", "price_includes_vat", "bool"),
            *money("discount", "unit_cost", "revenue", "cost", "profit", "vat"),
        ),
    ),
    Table(
        "deals",
        lambda: Deal.objects.filter(unrestricted("customer__")),
        (
            *ids("id"),
            *text("title"),
            *ids("customer_id"),
            Column("pipeline", "pipeline__name"),
            Column("stage", "stage__name"),
            *money("amount"),
            Column("expected_close", "expected_close", "date"),
            *OWNED,
            *text("source", "close_reason"),
            *when("stage_entered_at", "closed_at"),
            *text("notes"),
            *when("created_at", "updated_at"),
        ),
    ),
    Table(
        "quotes",
        lambda: Quote.objects.filter(unrestricted("customer__")),
        (
            *ids("id"),
            *text("number"),
            *ids("deal_id", "customer_id"),
            choice("status", Quote.Status.choices),
            Column("issued_on", "issued_on", "date"),
            Column("valid_until", "valid_until", "date"),
            *text("language"),
            *money("discount", "vat_rate", "subtotal", "net", "vat", "total"),
            *text("notes"),
            *ids("order_id"),
            *when("created_at"),
        ),
    ),
    Table(
        "quote_lines",
        lambda: QuoteLine.objects.filter(unrestricted("quote__customer__")),
        (
            *ids("id", "quote_id", "product_id"),
            *text("description"),
            *money("quantity", "unit_price", "discount", "amount"),
        ),
    ),
    Table(
        "campaigns",
        lambda: Campaign.objects.all(),
        (
            *ids("id"),
            *text("name"),
            Column("segment", "segment__name"),
            choice("channel", Campaign.CHANNELS),
            choice("status", Campaign.Status.choices),
            *when("scheduled_at", "started_at"),
            *ids("holdout_percent", "conversion_days"),
            *money("baseline_percent", "effect_points"),
            *ids("recipients_count"),
            *when("created_at"),
        ),
    ),
    Table(
        # What each recipient got and did: the variant (none: held out), the message's
        # state or why none was sent, the open and the click.
        "campaign_results",
        lambda: Recipient.objects.filter(unrestricted("customer__")),
        (
            *ids("id", "campaign_id", "customer_id"),
            Column("variant", "variant__label"),
            choice("message_status", Message.Status.choices, "message__status"),
            *text("skipped"),
            *when("opened_at", "clicked_at"),
        ),
    ),
)


def header(table: Table) -> list[str]:
    names: list[str] = []
    for column in table.columns:
        names.append(column.header)
        if column.kind == "choice":
            names.append(f"{column.header}_label")
    return names


def cells(value: Any, column: Column, labels: dict[Any, str]) -> Iterator[Any]:
    """The cell (two for a coded column) of ``value``."""
    if column.kind == "choice":
        yield value if value is not None else ""
        yield labels.get(value, value if value is not None else "")
    elif value is None:
        yield ""
    elif column.kind == "bool":
        yield 1 if value else 0
    elif isinstance(value, dt.datetime):
        yield timezone.localtime(value).isoformat(timespec="seconds")
    elif isinstance(value, dt.date):
        yield value.isoformat()
    elif column.kind == "json":
        yield json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    elif isinstance(value, Decimal | int | float):
        yield value
    else:
        yield str(value)


def rows(table: Table, language: str) -> Iterable[list[Any]]:
    """The header, then every row, streamed from one query in chunks."""
    with translation.override(language):
        labels = [{code: str(label) for code, label in c.choices} for c in table.columns]
    yield header(table)
    pairs = list(zip(table.columns, labels, strict=True))
    for values in table.query().iterator(chunk_size=CHUNK):
        yield [
            cell
            for value, (c, lab) in zip(values, pairs, strict=True)
            for cell in cells(value, c, lab)
        ]
