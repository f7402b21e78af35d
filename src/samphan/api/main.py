"""The JSON API at /api/v1: one NinjaAPI, auth in one place, each app adds its router."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from samphan.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Samphan API",
    version="1",
    description="Customers, companies, contact points, the timeline and tags; products and orders. "
    "Authenticate with `Authorization: Bearer <token>` (`samphan token create USERNAME`) "
    "or a logged-in session.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _error(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Django validation errors from services, as 422 naming each field."""
    if hasattr(error, "error_dict"):
        detail = [
            {"loc": ["body", field], "msg": message, "type": "value_error"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [
            {"loc": ["body"], "msg": message, "type": "value_error"} for message in error.messages
        ]
    return _error(request, detail, 422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, "You do not have permission to do this.", 403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, "Not found.", 404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, "Authentication required: a bearer token or a session.", 401)


def _add_routers() -> None:
    from samphan.accounts.api import router as accounts_router
    from samphan.analytics.api import router as analytics_router
    from samphan.core.api import router as core_router
    from samphan.customers.api import router as customers_router
    from samphan.exports.api import router as exports_router
    from samphan.frontdesk.api import router as frontdesk_router
    from samphan.loyalty.api import router as loyalty_router
    from samphan.marketing.api import router as marketing_router
    from samphan.messaging.api import router as messaging_router
    from samphan.privacy.access_api import router as privacy_access_router
    from samphan.privacy.api import router as privacy_router
    from samphan.privacy.requests_api import router as privacy_requests_router
    from samphan.privacy.retention_api import router as privacy_retention_router
    from samphan.sales.api import router as sales_router
    from samphan.support.api import router as support_router

    api.add_router("/", customers_router)
    api.add_router("/", sales_router)
    api.add_router("/", analytics_router)
    api.add_router("/", frontdesk_router)
    api.add_router("/", messaging_router)
    api.add_router("/", marketing_router)
    api.add_router("/", loyalty_router)
    api.add_router("/", accounts_router)
    api.add_router("/", core_router)
    api.add_router("/", privacy_router)
    api.add_router("/", privacy_requests_router)
    api.add_router("/", privacy_access_router)
    api.add_router("/", privacy_retention_router)
    api.add_router("/", exports_router)
    api.add_router("/", support_router)


READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _in_one_transaction(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` run in one transaction: an error it raises (a 404, a 422, a crash) rolls
    back everything it wrote before the handlers above turn the error into an answer."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return view(*args, **kwargs)

    run.samphan_atomic = True  # type: ignore[attr-defined]  # tests/api/test_failed_writes_api.py
    return run


def _query_values_once(view: Callable[..., Any]) -> Callable[..., Any]:
    """No query parameter of the API takes a list: one given twice (``?page_size=5&
    page_size=6``) is a 422 naming it, not a silent choice of the last value."""

    @wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
        if repeated:
            raise NinjaValidationError(
                [
                    {"loc": ["query", key], "msg": _("Give this once."), "type": "value_error"}
                    for key in repeated
                ]
            )
        return view(request, *args, **kwargs)

    return run


def _wrap_operations() -> None:
    """Every operation reads each query parameter once; every POST, PUT, PATCH and DELETE
    runs in one transaction (issue 20): a request that fails writes nothing, however late
    it fails."""
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                operation.view_func = _query_values_once(operation.view_func)
                if set(operation.methods) - READS:
                    operation.view_func = _in_one_transaction(operation.view_func)


_add_routers()
_wrap_operations()
