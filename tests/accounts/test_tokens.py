import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import ApiToken, Role
from samphan.accounts.services import token_authenticate, token_create


def test_token_is_stored_hashed_and_authenticates(make_user):
    user = make_user(Role.VIEWER)
    raw = token_create(user=user, name="pos")
    token = ApiToken.objects.get()
    assert raw.startswith("sp_") and raw not in (token.key_hash, token.hint)
    assert token_authenticate(raw) == user
    assert token_authenticate(raw + "x") is None


def test_expired_token_and_inactive_user_are_refused(make_user):
    user = make_user(Role.VIEWER)
    raw = token_create(user=user, expires_in_days=1)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert token_authenticate(raw) is None
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/customers").status_code
        == 401
    )
    fresh = token_create(user=user)
    user.is_active = False
    user.save()
    assert token_authenticate(fresh) is None


def test_token_command_prints_a_working_token(make_user):
    user = make_user(Role.MANAGER)
    out = StringIO()
    call_command("token", "create", user.username, "--days", "30", stdout=out)
    raw = out.getvalue().strip()
    assert token_authenticate(raw) == user
    assert ApiToken.objects.get().expires_at > timezone.now() + dt.timedelta(days=29)
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "nobody")
    with pytest.raises(CommandError, match="positive"):
        call_command("token", "create", user.username, "--days", "0")


def test_token_command_expires_after_90_days_unless_told_never(make_user):
    user = make_user(Role.MANAGER)
    call_command("token", "create", user.username, "--name", "default", stdout=StringIO())
    call_command("token", "create", user.username, "--name", "never", "--no-expiry",
                 stdout=StringIO())  # fmt: skip
    default = ApiToken.objects.get(name="default").expires_at
    assert default is not None
    assert abs(default - timezone.now() - dt.timedelta(days=90)) < dt.timedelta(minutes=1)
    assert ApiToken.objects.get(name="never").expires_at is None
