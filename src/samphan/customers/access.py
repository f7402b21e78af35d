"""Fetch-and-authorise: the one way pages, the API and other apps get a customer by id.

A customer the user may not see is a 404 (never a 403: that would tell a stranger the id
exists); a permission the user lacks is a 403 (``PermissionDenied``).
"""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer, CustomerQuerySet


def customer_for_user(
    user: User | AnonymousUser,
    pk: int,
    *,
    perm: str = "",
    for_update: bool = False,
    queryset: CustomerQuerySet | None = None,
) -> Customer:
    """The customer ``pk`` if ``user`` may see it (else 404) and, with ``perm``, holds that
    permission (else 403). ``queryset`` narrows or widens what is fetched with it (related
    rows, a kind); ``for_update`` locks the row until the transaction ends."""
    if perm:
        require_perm(user, perm)
    customers = (queryset if queryset is not None else Customer.objects.all()).visible_to(user)
    if for_update:
        customers = customers.select_for_update()
    customer = customers.filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer
