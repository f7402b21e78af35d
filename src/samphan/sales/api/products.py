"""/api/v1/products: the catalogue."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import User
from samphan.api.schemas import ERRORS, Id, MaxChars, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.access import product_for_user
from samphan.sales.api.common import optional_money, router
from samphan.sales.models import Product


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
    sku: Annotated[str, MaxChars(40)] | None = None
    name: Annotated[str, MaxChars(200)] | None = None
    name_en: Annotated[str, MaxChars(200)] | None = None
    category: Annotated[str, MaxChars(80)] | None = None
    unit: Annotated[str, MaxChars(20)] | None = None
    list_price: Decimal | None = optional_money()
    unit_cost: Decimal | None = optional_money()
    price_includes_vat: bool | None = None
    is_active: bool | None = None


class ProductIn(ProductPatch):
    sku: Annotated[str, MaxChars(40)] = Field(min_length=1)
    name: Annotated[str, MaxChars(200)] = Field(min_length=1)


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProductOut]


class ProductParams(Schema):
    q: Search = ""
    category: Id | None = None
    active: bool | None = True
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


# -- Products ---------------------------------------------------------------------------------


def _product(user: User, pk: int, perm: str) -> Product:
    return product_for_user(
        user, pk, perm=perm, queryset=Product.objects.select_related("category")
    )


def _product_fields(payload: ProductPatch) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    return {name: value for name, value in fields.items() if value is not None}


@router.get("/products", response={200: ProductPage, **ERRORS})
def product_list(request: Request, params: Query[ProductParams]) -> Any:
    """The catalogue; `q` matches SKU or name; `active=false` lists retired products."""
    require_perm(request.user, "sales.view_product")
    filters = queries.ProductFilters(q=params.q, category=params.category, active=params.active)
    return page_of(queries.product_list(filters), params.page, params.page_size)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: Request, product_id: Id) -> Any:
    return _product(request.user, product_id, "sales.view_product")


@router.post("/products", response={201: ProductOut, **ERRORS})
def product_create(request: Request, payload: ProductIn) -> Any:
    require_perm(request.user, "sales.add_product")
    product = services.product_create(actor=request.user, fields=_product_fields(payload))
    return Status(201, _product(request.user, product.pk, "sales.add_product"))


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: Request, product_id: Id, payload: ProductPatch) -> Any:
    """Change the fields sent; `is_active: false` retires a product (its orders stay)."""
    product = _product(request.user, product_id, "sales.change_product")
    services.product_update(actor=request.user, product=product, fields=_product_fields(payload))
    return _product(request.user, product_id, "sales.change_product")
