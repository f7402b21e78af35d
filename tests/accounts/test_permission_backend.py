"""Samphan's permission backend reads a user's permissions in one statement; the set it
returns must be Django's own, whatever mix of roles and direct permissions a user has."""

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samphan.accounts.backends import ModelBackend
from samphan.accounts.models import Role, User
from samphan.core.permissions import sees_all_records


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no cached permissions


@pytest.mark.parametrize("role", Role.NAMES)
def test_each_role_reads_the_same_permissions_as_django(make_user: Any, role: str) -> None:
    user = make_user(role)
    expected = DjangoModelBackend().get_all_permissions(fresh(user))
    assert expected  # every role grants something
    assert ModelBackend().get_all_permissions(fresh(user)) == expected


def test_direct_permissions_and_two_roles_together(make_user: Any) -> None:
    user = make_user(Role.FRONTDESK)
    user.groups.add(Group.objects.get(name=Role.MARKETING))
    user.user_permissions.add(Permission.objects.get(codename="delete_order"))
    expected = DjangoModelBackend().get_all_permissions(fresh(user))
    assert "sales.delete_order" in expected
    assert ModelBackend().get_all_permissions(fresh(user)) == expected


def test_no_role_no_permission_and_inactive_or_anonymous_none(make_user: Any) -> None:
    user = make_user()
    assert ModelBackend().get_all_permissions(fresh(user)) == set()
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    assert ModelBackend().get_all_permissions(fresh(user)) == {"customers.view_customer"}
    user.is_active = False
    assert ModelBackend().get_all_permissions(user) == set()
    from django.contrib.auth.models import AnonymousUser

    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()


def test_superuser_has_every_permission(make_user: Any) -> None:
    user = make_user(is_superuser=True)
    assert ModelBackend().get_all_permissions(fresh(user)) == {
        f"{app}.{code}"
        for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }


def test_one_statement_per_request_user(make_user: Any) -> None:
    user = fresh(make_user(Role.SALES))
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("customers.view_customer")
        assert not user.has_perm("accounts.add_user")
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


def test_role_scope_read_in_sql_matches_the_roles(make_user: Any) -> None:
    sales = make_user(Role.SALES)
    assert not fresh(sales).sees_all_records()
    sales.groups.add(Group.objects.get(name=Role.VIEWER))
    assert fresh(sales).sees_all_records()
    assert not fresh(make_user()).sees_all_records()  # no role: nothing beyond own records


def _fields(user: User) -> dict[str, Any]:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


@pytest.mark.parametrize("role", Role.NAMES)
def test_get_user_reads_the_row_permissions_and_scope_in_one_statement(
    make_user: Any, role: str
) -> None:
    """What a signed-in request loads: the same user, permissions and scope as the ORM
    and Django's backend, by one statement, and nothing more asked after it."""
    user = make_user(role)
    user.last_login = user.date_joined
    user.save()
    with CaptureQueriesContext(connection) as queries:
        loaded = ModelBackend().get_user(user.pk)
        assert loaded is not None
        permissions = loaded.get_all_permissions()
        sees_all = sees_all_records(loaded)
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert _fields(loaded) == _fields(fresh(user))
    assert type(loaded.is_active) is bool and loaded.last_login is not None
    assert permissions == DjangoModelBackend().get_all_permissions(fresh(user))
    assert sees_all == fresh(user).sees_all_records()
    assert not loaded._state.adding and loaded._state.db == "default"


def test_get_user_with_direct_permissions_two_roles_or_none(make_user: Any) -> None:
    mixed = make_user(Role.SALES)
    mixed.groups.add(Group.objects.get(name=Role.VIEWER))
    mixed.user_permissions.add(Permission.objects.get(codename="delete_order"))
    loaded = ModelBackend().get_user(mixed.pk)
    assert loaded is not None
    assert loaded.get_all_permissions() == DjangoModelBackend().get_all_permissions(fresh(mixed))
    assert sees_all_records(loaded)  # the viewer role sees all, sales alone would not
    bare = ModelBackend().get_user(make_user().pk)
    assert bare is not None
    assert bare.get_all_permissions() == set()
    assert not sees_all_records(bare)


def test_get_user_refuses_the_inactive_and_the_unknown(make_user: Any) -> None:
    user = make_user(Role.MANAGER)
    user.is_active = False
    user.save()
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(user.pk + 1000) is None


def test_get_user_superuser_keeps_every_permission(make_user: Any) -> None:
    loaded = ModelBackend().get_user(make_user(is_superuser=True).pk)
    assert loaded is not None and loaded.is_superuser
    assert loaded.has_perm("accounts.add_user")
    assert len(loaded.get_all_permissions()) == Permission.objects.count()
