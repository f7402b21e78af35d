"""Error reports to Sentry, off unless SAMPHAN_SENTRY_DSN is set (settings.py calls
``sentry_init``; docs/operations.md, "Logs, metrics and error reports").

A report says where the code failed and for which request id and user id; it carries no
customer data: no cookies, session, request body, query string or headers (the SDK's
``send_default_pii=False`` keeps most of them out, ``scrub`` removes the rest), and no local
variables of the failing frames (they hold the customers a view was working on)."""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from samphan.core.observe import current_request, user_id_of

# What a report keeps of the request: enough to find the page, nothing typed into it.
KEPT_REQUEST_KEYS = frozenset({"method", "url"})


def scrub(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's ``before_send``: the request reduced to its method and URL without query
    string, the user to an id, the request id added as a tag."""
    request_data = event.get("request")
    if isinstance(request_data, dict):
        kept = {key: value for key, value in request_data.items() if key in KEPT_REQUEST_KEYS}
        if isinstance(kept.get("url"), str):
            parts = urlsplit(kept["url"])
            kept["url"] = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        event["request"] = kept
    request = current_request.get()
    user_id = user_id_of(request)
    event["user"] = {"id": str(user_id)} if user_id is not None else {}
    if request is not None:
        event.setdefault("tags", {})["request_id"] = getattr(request, "request_id", "-")
    event.pop("breadcrumbs", None)  # log lines and SQL of the request: not needed, not sent
    return event


def sentry_init(*, dsn: str, environment: str, release: str, traces_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(middleware_spans=False, signals_spans=False)],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub,  # type: ignore[arg-type]
        traces_sample_rate=traces_rate if traces_rate > 0 else None,
    )
