"""Django's model backend, with the signed-in user read in one statement.

Every signed-in request loads its user, and nearly every one then asks for their
permissions (the menu, ``require_perm``) and their role scope (``visible_to``). Django
reads these with three queries, the user's through the ORM (about 0.5 ms of CPU to build);
``get_user`` here reads the user's row, permissions and scope in one statement and keeps
the answers on the user object for the request, as Django keeps its permission cache
(docs/performance.md, "CPU per request: the floor"). ``get_all_permissions`` still
reads them in one statement for a user loaded some other way.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import backends
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Expression

from samphan.accounts.models import Role, User, scopes_see_all
from samphan.core.sql import quote_name, text_agg

Converter = Callable[[Any, Any, Any], Any]


def _permissions_sql(user: str = "%s") -> str:
    """The ids of the user's own and their roles' permissions, as app.codename (a codename
    holds no space: Django's and ours are identifiers)."""
    own = User.user_permissions.through._meta.db_table
    groups = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return (
        f"FROM {Permission._meta.db_table} p "  # noqa: S608 - table names, a column or %s
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = {user} "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user})"
    )


_user_statements: dict[str, str] = {}


def _user_sql() -> str:
    """The user's row, then their permissions and their roles' scopes, each joined by
    spaces (NULL for none). The same text for every request on a database: made once."""
    found = _user_statements.get(connection.vendor)
    if found is None:
        found = _user_statements[connection.vendor] = _user_statement()
    return found


def _user_statement() -> str:
    columns = ", ".join(
        f"u.{quote_name(str(field.column))}" for field in User._meta.concrete_fields
    )
    groups = User.groups.through._meta.db_table
    return (
        f"SELECT {columns}, "  # noqa: S608 - our columns, tables and fragments
        f"(SELECT {text_agg("ct.app_label || '.' || p.codename")} {_permissions_sql('u.id')}), "
        f"(SELECT {text_agg('r.scope')} FROM {Role._meta.db_table} r "
        f"JOIN {groups} ug ON ug.group_id = r.group_id WHERE ug.user_id = u.id) "
        f"FROM {User._meta.db_table} u WHERE u.id = %s"
    )


# What turns each column as the database returns it into the field's value (SQLite hands
# back times as text and booleans as 0/1), as the ORM would apply it. The same for every
# request on a database, so found once per database kind.
_converters: dict[str, list[tuple[int, list[Converter], Expression]]] = {}


def _user_converters() -> list[tuple[int, list[Converter], Expression]]:
    found = _converters.get(connection.vendor)
    if found is None:
        found = []
        for index, field in enumerate(User._meta.concrete_fields):
            column = field.get_col(User._meta.db_table)
            each = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if each:
                found.append((index, each, column))
        _converters[connection.vendor] = found
    return found


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        fields = User._meta.concrete_fields
        values = list(row[: len(fields)])
        for index, converters, column in _user_converters():
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        user = User.from_db(connection.alias, [field.attname for field in fields], values)
        permissions, scopes = row[len(fields) :]
        if not user.is_superuser:  # a superuser's are every permission: Django's path
            user._perm_cache = set(permissions.split()) if permissions else set()  # type: ignore[attr-defined]
        user._sees_all_records = scopes_see_all(scopes.split() if scopes else [])
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if isinstance(user_obj, AnonymousUser) or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not user_obj.is_active or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT ct.app_label, p.codename " + _permissions_sql(),
                    [user_obj.pk, user_obj.pk],
                )
                user_obj._perm_cache = {f"{app}.{code}" for app, code in cursor.fetchall()}
        perms: set[str] = user_obj._perm_cache
        return perms
