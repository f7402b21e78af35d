"""Fetch-and-authorise: the one way pages, the API and other apps get a sales record by id.

As for customers (``samphan.customers.access``): a record the user may not see is a 404
(never a 403, which would tell a stranger the id exists); a permission the user lacks is a
403 (``PermissionDenied``), checked first. Each helper fetches by default what the record's
page and the API show with it (``queries.*_detail``); ``queryset`` narrows or widens that.
"""

from django.db.models import QuerySet

from samphan.accounts.models import User
from samphan.core.permissions import record_for_user
from samphan.sales import queries
from samphan.sales.models import Deal, Lead, Order, Product, Quote


def deal_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Deal] | None = None,
) -> Deal:
    """The deal ``pk`` if ``user`` may see it (else 404) and holds ``perm`` (else 403)."""
    deals = queryset if queryset is not None else queries.deal_detail()
    return record_for_user(deals, user, pk, perm=perm, for_update=for_update)


def order_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Order] | None = None,
) -> Order:
    orders = queryset if queryset is not None else queries.order_detail()
    return record_for_user(orders, user, pk, perm=perm, for_update=for_update)


def lead_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Lead] | None = None,
) -> Lead:
    leads = queryset if queryset is not None else queries.lead_detail()
    return record_for_user(leads, user, pk, perm=perm, for_update=for_update)


def quote_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Quote] | None = None,
) -> Quote:
    quotes = queryset if queryset is not None else queries.quote_detail()
    return record_for_user(quotes, user, pk, perm=perm, for_update=for_update)


def product_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Product] | None = None,
) -> Product:
    """The catalogue is shared: every product is visible to whoever holds ``perm``."""
    products = queryset if queryset is not None else Product.objects.all()
    return record_for_user(products, user, pk, perm=perm, for_update=for_update)
