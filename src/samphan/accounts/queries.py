"""Reads of users and tokens, ready to render (roles and team fetched with them)."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet

from samphan.accounts.models import ApiToken, User

STATUSES = ("active", "inactive")


def user_list(*, query: str = "", status: str = "") -> QuerySet[User]:
    """Users matching ``query`` in username, names or e-mail; ``status`` is "active",
    "inactive" or "" for both. Active users first, then by username."""
    users = User.objects.select_related("team").prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"))
    )
    for word in query.split()[:5]:
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    if status in STATUSES:
        users = users.filter(is_active=status == "active")
    return users.order_by("-is_active", "username")


def token_list(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first. The secret is never stored, so never shown."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
