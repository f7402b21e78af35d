"""A busy or unreachable database answers 503 with Retry-After instead of 500.

Busy: SQLite lets one writer at a time: a write that waits past the busy timeout (five
seconds, ``settings.database_settings``) fails with "database is locked" (or "database
table is locked"); PostgreSQL fails a write that waits past ``lock_timeout`` with SQLSTATE
55P03. Unreachable: any other ``OperationalError`` or ``InterfaceError`` (PostgreSQL
stopped or restarting, a dropped connection, a database file that cannot be opened).
Neither is the visitor's fault, and the same request succeeds later: pages say so in Thai
and English on a page rendered without the database, the API answers JSON naming the
cause, and both say when to retry.

The error may be raised by a view (``process_exception``) or by a middleware that reads
the session or the user before any view runs; Django turns the latter into a 500 inside
each middleware's wrapper, so a receiver of ``got_request_exception`` marks the request
and the outermost middleware swaps that 500 for the 503."""

import logging
import sys
from collections.abc import Callable
from typing import Literal

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 2  # a busy database: the same request a moment later
RETRY_AFTER_UNAVAILABLE = 10  # an unreachable one: a restart takes a few seconds
SQLITE_BUSY = ("database is locked", "database table is locked")
POSTGRESQL_LOCK_NOT_AVAILABLE = "55P03"
MARK = "_samphan_database_error"
logger = logging.getLogger(__name__)

Trouble = Literal["busy", "unavailable"]


def database_busy(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == POSTGRESQL_LOCK_NOT_AVAILABLE:
        return True
    return str(error).startswith(SQLITE_BUSY)


def database_trouble(error: BaseException | None) -> Trouble | None:
    """What the error says of the database: busy, unavailable, or nothing (None)."""
    if error is None or not isinstance(error, OperationalError | InterfaceError):
        return None
    return "busy" if database_busy(error) else "unavailable"


def first_line(error: BaseException) -> str:
    """The error's first line, for a one-line log entry."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def busy_response(request: HttpRequest) -> HttpResponse:
    message = _("The database is busy with other work. Try again in a moment.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "database_busy", "detail": message}, status=503)
    else:
        html = render_to_string("core/busy.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The maintenance page (Thai and English, whatever the reader's language, since the
    user and their language cannot be read) or the API's JSON. Touches no database."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        detail = _("The database cannot be reached. Try again in a few seconds.")
        response = JsonResponse({"code": "database_unavailable", "detail": detail}, status=503)
    else:
        context = {
            "retry_after": RETRY_AFTER_UNAVAILABLE,
            "refresh": request.method in {"GET", "HEAD"},  # never resend a form by itself
            "languages": ["th", "en"],
        }
        html = render_to_string("core/unavailable.html", context)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    response["Cache-Control"] = "no-store"
    return response


def trouble_response(request: HttpRequest, trouble: Trouble, error: BaseException) -> HttpResponse:
    logger.warning(
        "%s %s: database %s (%s)", request.method, request.path, trouble, first_line(error)
    )
    return busy_response(request) if trouble == "busy" else unavailable_response(request)


def _mark(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Sent by Django while it handles an exception (``sys.exception()`` is that one)."""
    error = sys.exception()
    if request is not None and error is not None and database_trouble(error) is not None:
        setattr(request, MARK, error)


got_request_exception.connect(_mark, dispatch_uid="samphan.core.busy.mark")


class DatabaseTroubleMiddleware:
    """Turns a busy or unreachable database into 503 + Retry-After (pages and the API
    alike). First in ``MIDDLEWARE``, so it sees what every other middleware raised."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error: BaseException | None = getattr(request, MARK, None)
        trouble = database_trouble(error)
        if error is not None and trouble is not None and response.status_code == 500:
            return trouble_response(request, trouble, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        trouble = database_trouble(exception)
        return None if trouble is None else trouble_response(request, trouble, exception)
