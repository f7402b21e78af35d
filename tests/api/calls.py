"""Small helpers shared by the API tests: JSON calls, error locations, query counts."""

import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def assert_names_field(response: Any, field: str) -> None:
    """A 422 whose errors name ``field`` (``body.payload.kind``, ``query.page_size`` …)."""
    assert response.status_code == 422, response.content
    locations = [
        ".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]
    ]
    assert any(location.endswith(field) for location in locations), locations


def assert_queries_do_not_grow(
    client: Client, url: str, add_rows: Callable[[], None], django_assert_max_num_queries: Any
) -> Any:
    """A list page with many rows runs no more queries than the same page with few."""
    client.get(url)  # the first call of the minute also records the token's last use
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_rows()
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response.json()
