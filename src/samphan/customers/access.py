"""Fetch-and-authorise: the one way pages, the API and other apps get a customer by id.

A customer the user may not see is a 404 (never a 403: that would tell a stranger the id
exists); a permission the user lacks is a 403 (``PermissionDenied``).
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers.models import Customer, CustomerQuerySet, DuplicateCandidate


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


def duplicates_allowed(user: User | AnonymousUser) -> None:
    """Reviewing possible duplicates shows customers side by side whoever owns them and
    leads to a merge (which archives one): only for those who see every customer and may
    archive customers (admins, managers); anyone else gets a 403."""
    require_perm(user, "customers.archive_customer")
    if not sees_all_records(user):
        raise PermissionDenied


def duplicate_candidate_for_user(
    user: User | AnonymousUser, pk: int, *, for_update: bool = False
) -> DuplicateCandidate:
    """The candidate ``pk`` for a reviewer (else 403), 404 when there is none."""
    duplicates_allowed(user)
    candidates = DuplicateCandidate.objects.all()
    if for_update:
        candidates = candidates.select_for_update()
    candidate = candidates.filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate
