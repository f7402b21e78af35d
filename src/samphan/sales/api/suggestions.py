"""/api/v1 similar products: what a product's buyers also bought, and a customer's suggestions.

Both lists are short by nature (at most 20, the partners kept per product), so they take a
``limit`` instead of pages. Each item says why it is offered.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Query, Schema
from pydantic import Field

from samphan.api.schemas import ERRORS, Id
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries
from samphan.sales.affinities import TOP_PER_PRODUCT
from samphan.sales.api.common import router
from samphan.sales.models import Product


class ProductBrief(Schema):
    id: int
    sku: str
    name: str
    name_en: str
    list_price: Decimal


class SuggestionOut(Schema):
    product: ProductBrief
    because: ProductBrief = Field(description="the product it is most strongly linked with")
    together: int = Field(description="customers who bought both `because` and `product`")
    score: float = Field(description="cosine similarity, summed over the linked products")
    lift: float = Field(description="lift of the `because` → `product` pair")
    reason: str = Field(description="the reason in words, in the request's language")


class SuggestionList(Schema):
    computed_at: dt.datetime | None = Field(description="when the table was last rebuilt")
    items: list[SuggestionOut]


class SuggestionParams(Schema):
    limit: int = Field(queries.SUGGESTIONS_SHOWN, ge=1, le=TOP_PER_PRODUCT)


def _listed(suggestions: list[queries.Suggestion]) -> dict[str, Any]:
    return {"computed_at": queries.suggestions_computed_at(), "items": suggestions}


@router.get("/products/{product_id}/also-bought", response={200: SuggestionList, **ERRORS})
def product_also_bought(request: Request, product_id: Id, params: Query[SuggestionParams]) -> Any:
    """Customers who bought this product also bought these (active products, best first)."""
    require_perm(request.user, "sales.view_product")
    if not Product.objects.filter(pk=product_id).exists():
        raise Http404
    return _listed(queries.also_bought([product_id], limit=params.limit))


@router.get("/customers/{customer_id}/suggestions", response={200: SuggestionList, **ERRORS})
def customer_suggestions(request: Request, customer_id: Id, params: Query[SuggestionParams]) -> Any:
    """Products the customer has not bought, scored from the ones they did."""
    require_perm(request.user, "sales.view_order")
    if not Customer.objects.visible_to(request.user).filter(pk=customer_id).exists():
        raise Http404
    return _listed(queries.customer_suggestions(customer_id, limit=params.limit))
