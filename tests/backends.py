"""Test settings' first authentication backend: django-axes, except for ``Client.login``.

Django's test ``Client.login`` calls ``authenticate`` without a request, which axes refuses
(it needs the address). The suite's many ``Client().login`` calls check a password, not the
throttle; tests/accounts/test_login_throttle.py posts to the login page, which passes the
request and so meets axes as in production."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None  # the next backend checks the password
        return super().authenticate(request, username, password, **kwargs)
