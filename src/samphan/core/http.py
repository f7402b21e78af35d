"""The request our views receive, typed: ``request.user`` is the project's ``User`` and
``request.htmx`` the django-htmx details (its middleware is in settings.MIDDLEWARE).

Use ``Request`` in views behind ``login_required`` and in the API (its auth sets the
user); a view open to anonymous visitors keeps Django's ``HttpRequest``."""

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    # django-stubs reads this alias as settings.AUTH_USER_MODEL (accounts.User), so core
    # names the project's User without importing accounts, the layer above it.
    from django.contrib.auth.models import _User as User
else:
    from django.contrib.auth.base_user import AbstractBaseUser as User

__all__ = ["Request", "User"]


class Request(HttpRequest):
    user: User
    htmx: HtmxDetails


def search_term(request: HttpRequest, name: str = "q") -> str:
    """A list page's search box from the query string: at most 100 characters, NUL
    dropped (a database string cannot hold it; issue 20)."""
    return request.GET.get(name, "").replace("\x00", "")[:100]


def client_address(request: HttpRequest) -> str:
    """The visitor's IP address, for rate limits and login throttling.

    Behind ``SAMPHAN_TRUSTED_PROXIES`` reverse proxies, each appends the address it saw to
    X-Forwarded-For, so the visitor is the entry that many places from the right; anything
    further left was written by the visitor and is not trusted. Without trusted proxies,
    or when the header is missing or malformed, it is the socket's address."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SAMPHAN_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
