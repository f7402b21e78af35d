"""Who may see which owned records: the one place that decides it.

A user whose every role is limited to "own and team records" sees records they
own or that belong to their team; anyone else sees all records.
"""

from typing import Self

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models

from samphan.core.http import User


def sees_all_records(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached: bool | None = getattr(user, "_sees_all_records", None)
    if cached is None:
        cached = user.sees_all_records()
        user._sees_all_records = cached
    return cached


class OwnedQuerySet[M: models.Model](models.QuerySet[M]):
    """For models with ``owner`` and ``team`` foreign keys, or reaching them through
    ``scope_prefix`` (``"customer__"``: an order is visible with its customer)."""

    scope_prefix = ""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        if not user.is_authenticated:
            return self.none()
        if sees_all_records(user):
            return self
        prefix = self.scope_prefix
        scope = models.Q(**{f"{prefix}owner_id": user.pk})
        if user.team_id:
            scope |= models.Q(**{f"{prefix}team_id": user.team_id})
        return self.filter(scope)


def visible_sql(user: User | AnonymousUser, *, alias: str = "") -> tuple[str, list[int]]:
    """``OwnedQuerySet.visible_to`` as a plain SQL condition (and its parameters) on a
    table's own ``owner_id`` and ``team_id`` (``alias``: the table's, with its dot), the
    same rule, for the few hot paths written in plain SQL (an order posted to the API):
    compiling the queryset costs more than running it."""
    if not user.is_authenticated:
        return "1 = 0", []
    if sees_all_records(user):
        return "1 = 1", []
    if user.team_id:
        return f"({alias}owner_id = %s OR {alias}team_id = %s)", [user.pk, user.team_id]
    return f"{alias}owner_id = %s", [user.pk]


def require_perm(user: User | AnonymousUser, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(perm)
