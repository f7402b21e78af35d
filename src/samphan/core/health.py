"""Health checks for the proxy and monitors (issue 22).

``GET /healthz`` (liveness): 200 "ok" while the process answers; it reads nothing.
``GET /readyz`` (readiness): JSON of each check, 200 when all pass, 503 otherwise:

- ``database``: ``SELECT 1`` answers;
- ``migrations``: no migration left to apply (the plan is computed once per process while
  it is not empty; once it is, the answer is kept);
- ``worker``: the newest worker heartbeat (``core.heartbeat``) is younger than
  ``SAMPHAN_HEARTBEAT_MAX_AGE`` seconds.

Both are answered by a middleware placed before every other but the database's, so no
session, login, CSRF, login throttling, host check or HTTPS redirect stands in the way of
a proxy asking over plain HTTP on loopback, and no personal data is in the answer."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

from samphan.core.heartbeat import heartbeat_age

LIVENESS = "/healthz"
READINESS = "/readyz"
_migrated = False  # once the plan is empty it stays so for this process's code


def database_check() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def migrations_check() -> dict[str, Any]:
    global _migrated  # one answer per process, kept once positive
    if not _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"ok": False, "unapplied": len(plan)}
        _migrated = True
    return {"ok": True}


def worker_check() -> dict[str, Any]:
    age = heartbeat_age()
    limit = settings.SAMPHAN_HEARTBEAT_MAX_AGE
    if age is None:
        return {"ok": False, "age_seconds": None, "max_age_seconds": limit}
    return {"ok": age < limit, "age_seconds": round(age, 1), "max_age_seconds": limit}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": database_check,
    "migrations": migrations_check,
    "worker": worker_check,
}


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        if results and not results["database"]["ok"]:
            results[name] = {"ok": False, "skipped": "database"}
            continue
        try:
            results[name] = check()
        except DatabaseError as error:
            connections["default"].close()  # a broken connection is not kept for the next
            results[name] = {"ok": False, "error": type(error).__name__}
    return all(result["ok"] for result in results.values()), results


def readyz(request: HttpRequest) -> HttpResponse:
    ready, checks = readiness()
    response = JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers GET (and HEAD) /healthz and /readyz before the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"GET", "HEAD"}:
            if request.path_info == LIVENESS:
                return healthz(request)
            if request.path_info == READINESS:
                return readyz(request)
        return self.get_response(request)
