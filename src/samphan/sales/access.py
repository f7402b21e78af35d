"""Fetch-and-authorise: the one way pages, the API and other apps get a sales record by id.

As for customers (``samphan.customers.access``): a record the user may not see is a 404
(never a 403, which would tell a stranger the id exists); a permission the user lacks is a
403 (``PermissionDenied``), checked first. Each helper fetches by default what the record's
page and the API show with it (``queries.*_detail``); ``queryset`` narrows or widens that.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from samphan.accounts.models import User
from samphan.core.permissions import OwnedQuerySet, require_perm
from samphan.sales import queries
from samphan.sales.models import Deal, Lead, Order, Product, Quote

Record = TypeVar("Record", bound=Model)


def _fetch(
    records: "QuerySet[Record]", user: User, pk: int, *, perm: str, for_update: bool
) -> Record:
    if perm:
        require_perm(user, perm)
    if isinstance(records, OwnedQuerySet):  # the catalogue is shared, owned records are not
        records = records.visible_to(user)
    if for_update:
        # Only the record's own row: PostgreSQL refuses to lock the nullable side of the
        # outer joins that select_related makes (an owner, a team).
        records = records.select_for_update(of=("self",))
    found = records.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


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
    return _fetch(deals, user, pk, perm=perm, for_update=for_update)


def order_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Order] | None = None,
) -> Order:
    orders = queryset if queryset is not None else queries.order_detail()
    return _fetch(orders, user, pk, perm=perm, for_update=for_update)


def lead_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Lead] | None = None,
) -> Lead:
    leads = queryset if queryset is not None else queries.lead_detail()
    return _fetch(leads, user, pk, perm=perm, for_update=for_update)


def quote_for_user(
    user: User,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: QuerySet[Quote] | None = None,
) -> Quote:
    quotes = queryset if queryset is not None else queries.quote_detail()
    return _fetch(quotes, user, pk, perm=perm, for_update=for_update)


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
    return _fetch(products, user, pk, perm=perm, for_update=for_update)
