"""What each request leaves in the logs and the metrics (docs/operations.md, "Logs,
metrics and error reports").

``RequestObserveMiddleware`` (first in settings.MIDDLEWARE) gives every request an id: the
``X-Request-ID`` a trusted reverse proxy sent, when it is a sane token, else a new one. The
id goes back on the response and, with the signed-in user's id (never a name or an
e-mail address: PDPA), onto every log record made while the request runs
(``RequestContextFilter`` on the console handler). With ``SAMPHAN_ACCESS_LOG`` the
``samphan.request`` logger writes one line per request: method, path (without the query
string, tokens in it masked), view, status and duration. With ``SAMPHAN_METRICS`` the
request's latency and database statements are counted for ``/metrics``."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import connections
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like: a UUID, a hex or base64url string; no spaces or quotes
# that could forge a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "samphan_request", default=None
)

access_log = logging.getLogger("samphan.request")

# Created at import: under `samphan serve` PROMETHEUS_MULTIPROC_DIR is set before, so every
# process writes its own file and /metrics sums them (samphan.home.metrics).
REQUEST_SECONDS = Histogram(
    "samphan_request_duration_seconds",
    "Time from the request's arrival to its response, by view and status class.",
    ["view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DB_QUERIES = Counter(
    "samphan_db_queries",
    "Database statements run while serving requests.",
    ["database"],
)


def request_id_of(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when a trusted proxy stands in front and it is sane,
    else a new one: a visitor cannot choose the id that lands in the logs."""
    if settings.SAMPHAN_TRUSTED_PROXIES > 0:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        if SANE_REQUEST_ID.fullmatch(sent):
            return sent
    return uuid.uuid4().hex


def user_id_of(request: HttpRequest | None) -> int | None:
    """The signed-in user's id, only when the request already looked the user up: a log
    line never costs a query of its own (the query pins hold)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


class RequestContextFilter(logging.Filter):
    """Puts ``request_id`` and ``user_id`` on every record (``-`` and ``None`` outside a
    request). On the handler, so records from every logger carry them."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", "-") if request else "-"
        record.user_id = user_id_of(request)
        return True


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def masked_path(request: HttpRequest) -> str:
    """The path without its query string, the value of a ``token`` in the URL replaced:
    those links (unsubscribe, member cards, quotations) are keys to a customer's data."""
    path = request.path
    match = request.resolver_match
    token = match.kwargs.get("token") if match else None
    if isinstance(token, str) and token:
        path = path.replace(token, "[token]")
    return path


def view_name(request: HttpRequest) -> str:
    """The URL's name (``customer_detail``), never the raw path: a metric label per
    customer would grow without end."""
    match = request.resolver_match
    if match is None:
        return "unmatched"
    return match.view_name or match._func_path


class QueryCounter:
    """A database execute wrapper counting the request's statements."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def request_context_clear(**_kwargs: object) -> None:
    current_request.set(None)


request_finished.connect(request_context_clear, dispatch_uid="samphan.observe")


class RequestObserveMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.access_log = settings.SAMPHAN_ACCESS_LOG
        self.metrics = settings.SAMPHAN_METRICS

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request.request_id = request_id_of(request)  # type: ignore[attr-defined]
        # Cleared when the response is closed (request_finished), not on return: Django logs
        # "Not Found" and errors after the middleware, and those lines need the id too.
        current_request.set(request)
        if self.metrics:
            response, queries = self._counted(request)
        else:
            response, queries = self.get_response(request), 0
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - started
        view = view_name(request)
        if self.metrics:
            REQUEST_SECONDS.labels(view, status_class(response.status_code)).observe(elapsed)
            if queries:
                DB_QUERIES.labels("default").inc(queries)
        if self.access_log:
            self._log(request, response, view, elapsed)
        return response

    def _counted(self, request: HttpRequest) -> tuple[HttpResponseBase, int]:
        counter = QueryCounter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        return response, counter.count

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponseBase, view: str, elapsed: float) -> None:
        duration_ms = round(elapsed * 1000, 1)
        path = masked_path(request)
        method = request.method or "-"
        access_log.info(
            "%s %s %s %.1fms",
            method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "view": view,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
