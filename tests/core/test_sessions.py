"""The session store reads its row by one SQL statement (core/sessions.py): a live session
signs the user in, an expired, unknown or malformed one does not."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core.sessions import SessionStore


def test_the_engine_is_ours() -> None:
    assert settings.SESSION_ENGINE == "samphan.core.sessions"


def test_live_expired_unknown_and_malformed_sessions(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/customers/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()["_auth_user_id"]

    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/customers/").status_code == 302  # to the login page
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None

    for cookie in ("x" * 32, "not a key!", ""):
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert client.get("/customers/").status_code == 302
