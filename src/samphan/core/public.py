"""Pages without login (web-to-lead, membership sign-up): who sent a form, kept only as a
keyed hash, to limit how often one address may use it."""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from samphan.core.http import client_address


def sender_hash(sender: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{sender}".encode()).hexdigest()


def sender_of(request: HttpRequest) -> str:
    """The visitor's address, behind the trusted reverse proxies (``client_address``)."""
    return client_address(request)


def in_link_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page in the language its link asks (``?lang=en``), else the site's: a framed
    page or a printed QR code carries no language cookie."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = request.GET.get("lang", "")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            return view(request, *args, **kwargs)

    return wrapped
