"""Reads of products and orders, shaped for pages and the API (no query from templates)."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samphan.accounts.models import User
from samphan.core.bulk import python_values
from samphan.core.permissions import OwnedQuerySet, visible_sql
from samphan.customers.models import ContactPoint, Customer
from samphan.sales.models import (
    Deal,
    DealQuerySet,
    DealStageChange,
    Lead,
    Order,
    OrderLine,
    OrderQuerySet,
    Pipeline,
    Product,
    ProductAffinity,
    Quote,
    QuoteQuerySet,
    Stage,
    SuggestionState,
)
from samphan.sales.purchases import PurchaseSummary, purchase_totals

PRODUCT_SORTS = {
    "name": ("name", "id"),
    "sku": ("sku", "id"),
    "price": ("list_price", "id"),
    "-price": ("-list_price", "id"),
    "newest": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: int | None = None
    active: bool | None = True
    sort: str = "name"


def product_list(filters: ProductFilters) -> QuerySet[Product]:
    products = Product.objects.select_related("category")
    if filters.q.strip():
        term = filters.q.strip()
        products = products.filter(
            Q(sku__icontains=term) | Q(name__icontains=term) | Q(name_en__icontains=term)
        )
    if filters.category:
        products = products.filter(category_id=filters.category)
    if filters.active is not None:
        products = products.filter(is_active=filters.active)
    return products.order_by(*PRODUCT_SORTS.get(filters.sort, PRODUCT_SORTS["name"]))


@dataclass(frozen=True)
class OrderFilters:
    customer: int | None = None
    channel: str = ""
    status: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""  # an order number or external id


def order_list(user: User, filters: OrderFilters) -> QuerySet[Order]:
    orders = Order.objects.visible_to(user).select_related("customer", "sold_by")
    exact = {
        "customer_id": filters.customer,
        "channel": filters.channel,
        "status": filters.status,
        "ordered_at__date__gte": filters.since,
        "ordered_at__date__lte": filters.until,
    }
    orders = orders.filter(**{name: value for name, value in exact.items() if value})
    if filters.q.strip():
        term = filters.q.strip()
        orders = orders.filter(Q(number__iexact=term) | Q(external_id=term))
    return orders.order_by("-ordered_at", "-id")


def order_detail() -> OrderQuerySet:
    """Orders with what their page and the API show: lines and products (see access)."""
    return Order.objects.select_related("customer", "sold_by").prefetch_related("lines__product")


def customer_sales(customer_id: int) -> PurchaseSummary:
    """The customer's purchases summed, or zeros when they have not bought yet."""
    return purchase_totals().of_customer(customer_id)


def visible_customer(user: User, pk: int | None, *, field: str = "customer") -> Customer:
    """A customer the user may see, else an error naming ``field``."""
    customer: Customer | None = (
        Customer.objects.visible_to(user).filter(pk=pk).first() if pk else None
    )
    if customer is None:
        raise ValidationError({field: _("Choose a customer you can see.")})
    return customer


# What recording an order reads of its customer, in the model's column order (``from_db``).
SELLING_TO = [
    column.attname
    for column in Customer._meta.concrete_fields
    if column.attname in ("id", "stage", "archived_at")
]


def customer_to_sell_to(user: User, pk: int | None, *, field: str = "customer") -> Customer:
    """``visible_customer`` with only what recording an order reads (``SELLING_TO``; any
    other field loads when asked), in one plain statement: the API's order post runs it
    for every order, and compiling the queryset cost ten times the query."""
    condition, params = visible_sql(user)
    row = None
    if pk:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(SELLING_TO)} FROM {Customer._meta.db_table} "  # noqa: S608
                f"WHERE id = %s AND {condition}",
                [pk, *params],
            )
            row = cursor.fetchone()
    if row is None:
        raise ValidationError({field: _("Choose a customer you can see.")})
    values = python_values(Customer, SELLING_TO, row)
    return Customer.from_db(connection.alias, SELLING_TO, values)


# -- Deals ------------------------------------------------------------------------------------

BOARD_CARDS_PER_STAGE = 40


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    amount: Decimal = Decimal("0.00")
    deals: list[Deal] = field(default_factory=list)

    @property
    def weighted(self) -> Decimal:
        return (self.amount * self.stage.probability / 100).quantize(Decimal("0.01"))

    @property
    def hidden(self) -> int:
        return self.count - len(self.deals)


@dataclass(frozen=True)
class DealFilters:
    pipeline: int | None = None
    stage: int | None = None
    outcome: str = ""  # open, won, lost
    owner: int | None = None
    team: int | None = None
    customer: int | None = None
    q: str = ""


def deal_list(user: User, filters: DealFilters) -> QuerySet[Deal]:
    deals = Deal.objects.visible_to(user).select_related("customer", "owner", "stage")
    exact = {
        "pipeline_id": filters.pipeline,
        "stage_id": filters.stage,
        "stage__outcome": filters.outcome,
        "owner_id": filters.owner,
        "team_id": filters.team,
        "customer_id": filters.customer,
    }
    deals = deals.filter(**{name: value for name, value in exact.items() if value})
    if filters.q.strip():
        term = filters.q.strip()
        deals = deals.filter(Q(title__icontains=term) | Q(customer__display_name__icontains=term))
    return deals.order_by("-updated_at", "-id")


def pipeline_board(user: User, pipeline: Pipeline, filters: DealFilters) -> list[BoardColumn]:
    """Columns of a kanban board in three queries whatever the number of deals: the stages,
    each stage's count and amount, and the first cards of every stage (biggest open deals,
    latest closed ones) picked by a window function."""
    columns = {stage.pk: BoardColumn(stage) for stage in pipeline.stages.order_by("position")}
    deals = deal_list(user, replace(filters, pipeline=pipeline.pk)).order_by()
    for row in deals.values("stage_id").annotate(count=Count("id"), amount=Sum("amount")):
        column = columns[row["stage_id"]]
        column.count, column.amount = row["count"], row["amount"] or Decimal("0.00")
    rank = Window(
        RowNumber(),
        partition_by=[F("stage_id")],
        order_by=[F("closed_at").desc(nulls_last=True), F("amount").desc(), F("id").desc()],
    )
    cards = deals.annotate(rank=rank).filter(rank__lte=BOARD_CARDS_PER_STAGE)
    for deal in cards.order_by("stage_id", "rank"):
        columns[deal.stage_id].deals.append(deal)
    return list(columns.values())


def deal_detail() -> DealQuerySet:
    """Deals with what their page and the API show: lines and stage history (see access)."""
    return Deal.objects.select_related(
        "customer", "owner", "team", "stage", "pipeline"
    ).prefetch_related(
        "lines__product",
        Prefetch(
            "stage_changes",
            queryset=DealStageChange.objects.select_related("to_stage", "by").order_by("at", "id"),
        ),
    )


# -- Leads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadFilters:
    status: str = "open"  # open (new or working), all, or one status
    owner: int | None = None
    campaign: str = ""
    q: str = ""


def lead_detail() -> OwnedQuerySet[Lead]:
    return Lead.objects.select_related("customer", "owner")


def lead_list(user: User, filters: LeadFilters) -> QuerySet[Lead]:
    leads = lead_detail().visible_to(user)
    if filters.status == "open":
        leads = leads.filter(status__in=[Lead.Status.NEW, Lead.Status.WORKING])
    elif filters.status != "all":
        leads = leads.filter(status=filters.status)
    if filters.owner:
        leads = leads.filter(owner_id=filters.owner)
    if filters.campaign:
        leads = leads.filter(campaign=filters.campaign)
    if filters.q.strip():
        leads = leads.filter(customer__display_name__icontains=filters.q.strip())
    return leads.order_by("-created_at", "-id")


def lead_duplicates(user: User, lead: Lead) -> QuerySet[Customer]:
    """Other visible, current customers with one of the lead's phones or e-mails: offered
    for a merge at conversion instead of keeping two records of one person."""
    contacts = lead.customer.contact_points.filter(
        kind__in=[ContactPoint.Kind.MOBILE, ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL]
    ).values_list("value", flat=True)
    return (
        Customer.objects.visible_to(user)
        .active()
        .filter(kind=lead.customer.kind, contact_points__value__in=list(contacts))
        .exclude(pk=lead.customer_id)
        .distinct()
        .order_by("display_name")[:10]
    )


# -- Quotations -------------------------------------------------------------------------------


def quote_detail() -> QuoteQuerySet:
    return Quote.objects.select_related("customer", "deal").prefetch_related("lines__product")


def quote_list(user: User, *, status: str = "", deal: int | None = None) -> QuerySet[Quote]:
    quotes = quote_detail().visible_to(user)
    if status:
        quotes = quotes.filter(status=status)
    if deal:
        quotes = quotes.filter(deal_id=deal)
    return quotes.order_by("-issued_on", "-id")


# -- Similar products -------------------------------------------------------------------------

SUGGESTIONS_SHOWN = 5


@dataclass(frozen=True)
class Suggestion:
    """A product to offer, and why: the product it is most strongly linked with (score)."""

    product: Product
    because: Product
    together: int  # customers who bought both
    score: float  # cosine similarities summed over every product that points to it
    lift: float  # of the pair given as the reason

    @property
    def reason(self) -> str:
        return ngettext(
            "Bought together with %(product)s by %(count)s customer",
            "Bought together with %(product)s by %(count)s customers",
            self.together,
        ) % {"product": self.because.name, "count": f"{self.together:,}"}


def _suggestions(affinities: QuerySet[ProductAffinity], limit: int) -> list[Suggestion]:
    """Rank the products the affinities point to by their summed score, in one query; each
    keeps its strongest affinity as the reason (a window picks it)."""
    to_other = [F("other_id")]
    ranked = (
        affinities.filter(other__is_active=True)
        .annotate(
            total=Window(Sum("score"), partition_by=to_other),
            place=Window(
                RowNumber(),
                partition_by=to_other,
                order_by=[F("score").desc(), F("together").desc(), F("product_id")],
            ),
        )
        .filter(place=1)
        .select_related("product", "other")
        .order_by("-total", "other_id")
    )
    return [
        Suggestion(row.other, row.product, row.together, row.total, row.lift)
        for row in ranked[:limit]
    ]


def also_bought(
    product_ids: Collection[int], *, limit: int = SUGGESTIONS_SHOWN
) -> list[Suggestion]:
    """What the buyers of these products (a deal's, or one) also bought, besides them."""
    if not product_ids:
        return []
    affinities = ProductAffinity.objects.filter(product_id__in=product_ids)
    return _suggestions(affinities.exclude(other_id__in=product_ids), limit)


def customer_suggestions(customer_id: int, *, limit: int = SUGGESTIONS_SHOWN) -> list[Suggestion]:
    """Products the customer has not bought, scored from the ones they did (paid orders)."""
    bought = OrderLine.objects.filter(
        order__customer_id=customer_id, order__status=Order.Status.PAID, is_refund=False
    ).values("product_id")
    affinities = ProductAffinity.objects.filter(product_id__in=bought)
    return _suggestions(affinities.exclude(other_id__in=bought), limit)


def suggestions_computed_at() -> dt.datetime | None:
    """When the affinity table was last computed; None before the first rebuild."""
    return SuggestionState.objects.filter(pk=1).values_list("computed_at", flat=True).first()
