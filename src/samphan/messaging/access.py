"""Fetch-and-authorise for messaging: the one way the pages and the API get a message or a
LINE account (404 when the user may not see it, 403 without ``perm``), as
``customers.access.customer_for_user`` does for a customer."""

from django.shortcuts import get_object_or_404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm
from samphan.messaging.models import LineAccount, Message


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
    """A LINE account by its LINE user id (the webhook's, not ours): every holder of
    ``perm`` may see them all, linked or not, to link them."""
    if perm:
        require_perm(user, perm)
    accounts = LineAccount.objects.all()
    if for_update:
        accounts = accounts.select_for_update()
    return get_object_or_404(accounts, user_id=line_user_id)
