"""Django's model backend, with a user's permissions read in one statement.

Every signed-in request asks for them (the menu, ``require_perm``): Django's backend runs
two ORM queries (the user's own permissions, their groups'), about 2 ms of CPU a request
together, where one statement takes a tenth of that (docs/performance.md, "Load test").
The answer is the same set, cached on the user object for the request as Django's is.
"""

from typing import Any

from django.contrib.auth import backends
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from samphan.accounts.models import User


def _permissions_sql() -> str:
    own = User.user_permissions.through._meta.db_table
    groups = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return (
        f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "  # noqa: S608 - table names
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = %s "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if isinstance(user_obj, AnonymousUser) or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not user_obj.is_active or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{code}" for app, code in cursor.fetchall()}
        perms: set[str] = user_obj._perm_cache
        return perms
