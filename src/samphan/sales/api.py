"""/api/v1 products and orders: how a shop's POS or e-shop pushes its sales in.

Thin: strict schemas, authorise, call the same services and queries as the pages.
``POST /orders`` with an ``external_id`` already recorded answers 200 with that order
and writes nothing, so a retried request never doubles a sale.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import User
from samphan.api.schemas import ERRORS, Choice, Id, IsoDate, Text
from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.models import Category, Deal, Order, Pipeline, Product, Stage

router = Router(tags=["sales"])


def optional_money() -> Any:
    return Field(None, ge=0, max_digits=14, decimal_places=2)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    name_en: str
    category: str | None
    unit: str
    list_price: Decimal
    unit_cost: Decimal
    price_includes_vat: bool
    is_active: bool

    @staticmethod
    def resolve_category(product: Product) -> str | None:
        return product.category.name if product.category else None


class ProductPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    sku: Text(40) | None = None  # type: ignore[valid-type]
    name: Text(200) | None = None  # type: ignore[valid-type]
    name_en: Text(200) | None = None  # type: ignore[valid-type]
    category: Text(80) | None = None  # type: ignore[valid-type]
    unit: Text(20) | None = None  # type: ignore[valid-type]
    list_price: Decimal | None = optional_money()
    unit_cost: Decimal | None = optional_money()
    price_includes_vat: bool | None = None
    is_active: bool | None = None


class ProductIn(ProductPatch):
    sku: Text(40) = Field(min_length=1)  # type: ignore[valid-type]
    name: Text(200) = Field(min_length=1)  # type: ignore[valid-type]


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProductOut]


class ProductParams(Schema):
    q: Text(100) = ""  # type: ignore[valid-type]
    category: Id | None = None
    active: bool | None = True
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    product_id: Id | None = None
    sku: Text(40) | None = None  # type: ignore[valid-type]
    quantity: Decimal = Field(gt=0, le=1_000_000, max_digits=12, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)

    def line_input(self, index: int) -> services.LineInput:
        key = self.product_id if self.product_id is not None else self.sku
        if key is None:
            raise ValidationError({f"lines.{index}.product_id": "Give product_id or sku."})
        return services.LineInput(key, self.quantity, self.unit_price, self.discount)


class OrderLineOut(Schema):
    id: int
    product_id: int
    sku: str = Field(validation_alias="product.sku")
    is_refund: bool
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal


class OrderOut(Schema):
    id: int
    number: str
    external_id: str | None
    customer_id: int
    ordered_at: dt.datetime
    channel: str
    status: str
    sold_by_id: int | None
    note: str
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal
    total: Decimal
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(order: Order) -> list[Any]:
        return list(order.lines.all())


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    channel: Choice(Order.Channel.values)  # type: ignore[valid-type]
    ordered_at: dt.datetime | None = None
    external_id: Text(100) | None = None  # type: ignore[valid-type]
    note: Text(500) = ""  # type: ignore[valid-type]
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Choice(Order.Status.values)  # type: ignore[valid-type]


class OrderPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[OrderOut]


class OrderParams(Schema):
    customer: Id | None = None
    channel: Choice(Order.Channel.values, blank=True) = ""  # type: ignore[valid-type]
    status: Choice(Order.Status.values, blank=True) = ""  # type: ignore[valid-type]
    since: IsoDate | None = None
    until: IsoDate | None = None
    q: Text(100) = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _page(queryset: Any, page: int, page_size: int) -> dict[str, Any]:
    paginator = CappedPaginator(queryset, page_size)
    start = (page - 1) * page_size
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": page,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }


# -- Products ---------------------------------------------------------------------------------


def _product(pk: int) -> Product:
    product = Product.objects.select_related("category").filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def _product_fields(payload: ProductPatch) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    fields = {name: value for name, value in fields.items() if value is not None}
    if "category" in fields:
        name = fields["category"].strip()
        fields["category"] = Category.objects.get_or_create(name=name)[0] if name else None
    return fields


@router.get("/products", response={200: ProductPage, **ERRORS})
def product_list(request: HttpRequest, params: Query[ProductParams]) -> Any:
    """The catalogue; `q` matches SKU or name; `active=false` lists retired products."""
    require_perm(request.user, "sales.view_product")
    filters = queries.ProductFilters(q=params.q, category=params.category, active=params.active)
    return _page(queries.product_list(filters), params.page, params.page_size)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: Id) -> Any:
    require_perm(request.user, "sales.view_product")
    return _product(product_id)


@router.post("/products", response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    require_perm(request.user, "sales.add_product")
    product = services.product_create(actor=request.user, fields=_product_fields(payload))
    return Status(201, _product(product.pk))


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Any:
    """Change the fields sent; `is_active: false` retires a product (its orders stay)."""
    require_perm(request.user, "sales.change_product")
    product = _product(product_id)
    services.product_update(actor=request.user, product=product, fields=_product_fields(payload))
    return _product(product_id)


# -- Orders -----------------------------------------------------------------------------------


def _order(request: HttpRequest, pk: int, perm: str = "sales.view_order") -> Order:
    require_perm(request.user, perm)
    try:
        return queries.order_for_page(request.user, pk)
    except Order.DoesNotExist as error:
        raise Http404 from error


def _lines(lines: list[LineIn]) -> list[services.LineInput]:
    return [line.line_input(index) for index, line in enumerate(lines)]


@router.get("/orders", response={200: OrderPage, **ERRORS})
def order_list(request: HttpRequest, params: Query[OrderParams]) -> Any:
    """Orders of the customers the caller may see, newest first."""
    require_perm(request.user, "sales.view_order")
    filters = queries.OrderFilters(
        customer=params.customer,
        channel=params.channel,
        status=params.status,
        since=params.since,
        until=params.until,
        q=params.q,
    )
    orders = queries.order_list(request.user, filters).prefetch_related("lines__product")
    return _page(orders, params.page, params.page_size)


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def order_get(request: HttpRequest, order_id: Id) -> Any:
    return _order(request, order_id)


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS})
def order_create(request: HttpRequest, payload: OrderIn) -> Any:
    """Record a paid order (201). The same `external_id` again returns the first order (200)."""
    require_perm(request.user, "sales.add_order")
    customer = queries.visible_customer(request.user, payload.customer_id, field="customer_id")
    order, created = services.order_record(
        actor=request.user,
        customer=customer,
        lines=_lines(payload.lines),
        channel=payload.channel,
        ordered_at=payload.ordered_at,
        external_id=payload.external_id,
        sold_by=request.user,
        note=payload.note,
    )
    return Status(201 if created else 200, _order(request, order.pk))


@router.post("/orders/{order_id}/refunds", response={200: OrderOut, **ERRORS})
def order_refund(request: HttpRequest, order_id: Id, payload: RefundIn) -> Any:
    """Return part of a paid order: refund lines at the price paid, at most what was sold."""
    order = _order(request, order_id, perm="sales.change_order")
    services.order_refund(actor=request.user, order=order, lines=_lines(payload.lines))
    return _order(request, order_id)


@router.post("/orders/{order_id}/status", response={200: OrderOut, **ERRORS})
def order_status(request: HttpRequest, order_id: Id, payload: StatusIn) -> Any:
    """Cancel or wholly refund an order (or set it paid again); roll-ups follow."""
    order = _order(request, order_id, perm="sales.change_order")
    services.order_set_status(actor=request.user, order=order, status=payload.status)
    return _order(request, order_id)


# -- Pipelines and deals ----------------------------------------------------------------------


class StageOut(Schema):
    id: int
    name: str
    name_en: str
    position: int
    probability: int
    outcome: str


class PipelineOut(Schema):
    id: int
    name: str
    name_en: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(pipeline: Pipeline) -> list[Any]:
        return list(pipeline.stages.all())


class DealLineOut(Schema):
    product_id: int
    sku: str = Field(validation_alias="product.sku")
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal


class DealOut(Schema):
    id: int
    title: str
    customer_id: int
    pipeline_id: int
    stage_id: int
    stage: str = Field(validation_alias="stage.name_en")
    outcome: str = Field(validation_alias="stage.outcome")
    amount: Decimal
    expected_close: dt.date | None
    owner_id: int | None
    team_id: int | None
    source: str
    close_reason: str
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    notes: str
    lines: list[DealLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(deal: Deal) -> list[Any]:
        return list(deal.lines.all())


class DealPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: Text(200) | None = None  # type: ignore[valid-type]
    customer_id: Id | None = None
    amount: Decimal | None = optional_money()
    expected_close: IsoDate | None = None
    owner_id: Id | None = None
    source: Text(30) | None = None  # type: ignore[valid-type]
    notes: Text(5000) | None = None  # type: ignore[valid-type]
    lines: list[LineIn] | None = Field(None, max_length=200)


class DealIn(DealPatch):
    title: Text(200) = Field(min_length=1)  # type: ignore[valid-type]
    customer_id: Id
    stage_id: Id | None = Field(
        None, description="the first stage of the default pipeline if left out"
    )


class DealMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage_id: Id
    expected_stage_id: Id | None = Field(
        None, description="the stage you saw; 409 when the deal has moved since"
    )
    reason: Text(200) = ""  # type: ignore[valid-type]


class DealPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[DealOut]


class DealParams(Schema):
    pipeline: Id | None = None
    stage: Id | None = None
    outcome: Choice(Stage.Outcome.values, blank=True) = ""  # type: ignore[valid-type]
    owner: Id | None = None
    team: Id | None = None
    customer: Id | None = None
    q: Text(100) = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _deal(request: HttpRequest, pk: int, perm: str = "sales.view_deal") -> Deal:
    require_perm(request.user, perm)
    try:
        return queries.deal_for_page(request.user, pk)
    except Deal.DoesNotExist as error:
        raise Http404 from error


def _deal_fields(request: HttpRequest, payload: DealPatch) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True, exclude={"lines", "stage_id"})
    fields = {name: value for name, value in data.items() if value is not None}
    if "customer_id" in fields:
        customer_id = fields.pop("customer_id")
        fields["customer"] = queries.visible_customer(
            request.user, customer_id, field="customer_id"
        )
    if "owner_id" in fields:
        owner = User.objects.filter(pk=fields.pop("owner_id"), is_active=True).first()
        if owner is None:
            raise ValidationError({"owner_id": "No active user with this id."})
        fields["owner"] = owner
    return fields


@router.get("/pipelines", response={200: list[PipelineOut], **ERRORS})
def pipeline_list(request: HttpRequest) -> Any:
    """Pipelines with their stages (win probability, outcome)."""
    require_perm(request.user, "sales.view_deal")
    return list(Pipeline.objects.prefetch_related("stages"))


@router.get("/deals", response={200: DealPage, **ERRORS})
def deal_list(request: HttpRequest, params: Query[DealParams]) -> Any:
    require_perm(request.user, "sales.view_deal")
    filters = queries.DealFilters(**params.model_dump(exclude={"page", "page_size"}))
    deals = queries.deal_list(request.user, filters).prefetch_related("lines__product")
    return _page(deals, params.page, params.page_size)


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def deal_get(request: HttpRequest, deal_id: Id) -> Any:
    return _deal(request, deal_id)


@router.post("/deals", response={201: DealOut, **ERRORS})
def deal_create(request: HttpRequest, payload: DealIn) -> Any:
    require_perm(request.user, "sales.add_deal")
    stage = None
    if payload.stage_id is not None:
        stage = Stage.objects.filter(pk=payload.stage_id).first()
        if stage is None:
            raise ValidationError({"stage_id": f"No stage with id {payload.stage_id}."})
    deal = services.deal_create(
        actor=request.user,
        fields=_deal_fields(request, payload),
        stage=stage,
        lines=_lines(payload.lines) if payload.lines else None,
    )
    return Status(201, _deal(request, deal.pk))


@router.patch("/deals/{deal_id}", response={200: DealOut, **ERRORS})
def deal_update(request: HttpRequest, deal_id: Id, payload: DealPatch) -> Any:
    """Change the fields sent; `lines` replaces the products (and so the amount)."""
    deal = _deal(request, deal_id, perm="sales.change_deal")
    services.deal_update(
        actor=request.user,
        deal=deal,
        fields=_deal_fields(request, payload),
        lines=_lines(payload.lines) if payload.lines is not None else None,
    )
    return _deal(request, deal_id)


@router.post("/deals/{deal_id}/move", response={200: DealOut, **ERRORS})
def deal_move(request: HttpRequest, deal_id: Id, payload: DealMoveIn) -> Any:
    """Move to a stage of the deal's pipeline; 409 when `expected_stage_id` is stale."""
    deal = _deal(request, deal_id, perm="sales.change_deal")
    stage = Stage.objects.filter(pk=payload.stage_id).first()
    if stage is None:
        raise ValidationError({"stage_id": f"No stage with id {payload.stage_id}."})
    try:
        services.deal_move(
            actor=request.user,
            deal=deal,
            stage=stage,
            expected_stage_id=payload.expected_stage_id,
            reason=payload.reason,
        )
    except services.StaleStage as error:
        detail = [
            {"loc": ["body", "expected_stage_id"], "msg": m, "type": "stale"}
            for m in error.messages
        ]
        return Status(409, {"detail": detail})
    return _deal(request, deal_id)
