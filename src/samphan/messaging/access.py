"""Fetch-and-authorise for messaging: the one way the pages and the API get a message or a
LINE account (404 when the user may not see it, 403 without ``perm``), as
``customers.access.customer_for_user`` does for a customer."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.messaging.models import LineAccount, Message

# Linking a LINE account says where a customer's messages go: changing their contact data.
LINK_PERM = "customers.change_customer"


def message_for_user(user: User, pk: int, *, perm: str = "", for_update: bool = False) -> Message:
    """A message to a customer ``user`` may see."""
    if perm:
        require_perm(user, perm)
    messages = Message.objects.visible_to(user)
    if for_update:
        messages = messages.select_for_update(of=("self",))
    return get_object_or_404(messages, pk=pk)


def line_account_for_user(
    user: User, line_user_id: str, *, perm: str = "", for_update: bool = False
) -> LineAccount:
    """A LINE account by its LINE user id (the webhook's, not ours). One not linked yet is
    every ``perm`` holder's to link; a linked one is as visible as its customer, so nobody
    re-links or unlinks the account of a customer they may not see (404, as for any record
    they may not see)."""
    if perm:
        require_perm(user, perm)
    accounts = LineAccount.objects.all()
    if not sees_all_records(user):
        visible = Customer.objects.visible_to(user).values("pk")
        accounts = accounts.filter(Q(customer=None) | Q(customer__in=visible))
    if for_update:
        accounts = accounts.select_for_update()
    return get_object_or_404(accounts, user_id=line_user_id)


def line_link_for_user(
    user: User, line_user_id: str, customer_id: int | None
) -> tuple[LineAccount, Customer | None]:
    """What linking (``customer_id``) or unlinking (None) a LINE account needs, decided
    once for the pages and the API: a role that may change contact data (403), and both
    the account's present customer and the new one visible to ``user`` (404)."""
    account = line_account_for_user(user, line_user_id, perm=LINK_PERM)
    customer = None if customer_id is None else customer_for_user(user, customer_id)
    return account, customer
