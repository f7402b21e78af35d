"""Who may see which owned records: the one place that decides it.

A user whose every role is limited to "own and team records" sees records they
own or that belong to their team; anyone else sees all records.
"""

from typing import Self

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

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


def record_for_user[M: models.Model](
    records: models.QuerySet[M], user: User, pk: int, *, perm: str = "", for_update: bool = False
) -> M:
    """Fetch-and-authorise, the one way an app gets a record by id: 403 without ``perm``
    (checked first), 404 for a record the user may not see (never 403, which would tell a
    stranger the id exists)."""
    if perm:
        require_perm(user, perm)
    if isinstance(records, OwnedQuerySet):  # a catalogue is shared, owned records are not
        records = records.visible_to(user)
    if for_update:
        # Only the record's own row: PostgreSQL refuses to lock the nullable side of the
        # outer joins that select_related makes (an owner, a team).
        records = records.select_for_update(of=("self",))
    found = records.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
