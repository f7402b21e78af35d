"""A busy database answers 503 with Retry-After instead of 500.

SQLite lets one writer at a time: a write that waits past the busy timeout (five seconds,
``settings.database_settings``) fails with "database is locked" (or "database table is
locked"); PostgreSQL fails a write that waits past ``lock_timeout`` with SQLSTATE 55P03.
Neither is the visitor's fault, and the same request succeeds a moment later: the page
says so in the reader's language, the API answers JSON, and both say when to retry."""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 2
SQLITE_BUSY = ("database is locked", "database table is locked")
POSTGRESQL_LOCK_NOT_AVAILABLE = "55P03"


def database_busy(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == POSTGRESQL_LOCK_NOT_AVAILABLE:
        return True
    return str(error).startswith(SQLITE_BUSY)


def busy_response(request: HttpRequest) -> HttpResponse:
    message = _("The database is busy with other work. Try again in a moment.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "database_busy", "detail": message}, status=503)
    else:
        html = render_to_string("core/busy.html", {"message": message}, request=request)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a busy database into 503 + Retry-After (pages and the API alike)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if database_busy(exception) else None
