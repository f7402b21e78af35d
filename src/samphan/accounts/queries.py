"""Reads of users and tokens, ready to render (roles and team fetched with them)."""

import datetime as dt
import math
from collections.abc import Iterable

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

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


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of ``usernames`` are locked out now: as many failed logins as the limit
    within the cool-off (django-axes counts the same way; settings.AXES_*)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return {name for name in rows if name}


def lock_minutes_left(*, username: str, address: str) -> int:
    """Minutes until a lockout on ``username`` or ``address`` ends: the cool-off counted
    from the latest failure (a failure while locked starts it again)."""
    latest = (
        AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=address))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    if latest is None:
        return math.ceil(cool_off.total_seconds() / 60)
    left: dt.timedelta = latest + cool_off - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))
