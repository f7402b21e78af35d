"""Small helpers shared by the API tests: JSON calls and error locations."""

import json
from typing import Any

from django.test import Client


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
