"""/api/v1/privacy/retention: the periods and the plan (GET), changing them (PATCH);
administrators only; bad input answers 422 naming the field and changes nothing."""

from typing import Any

import pytest

from samphan.accounts.models import Role
from samphan.privacy.retention_models import RetentionPolicy
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/privacy/retention"


def test_get_gives_the_periods_and_the_plan(api: Any):
    body = api.get(URL).json()
    assert body["leads_months"] == 24 and body["customers_months"] == 36
    assert body["messages_months"] == 12 and body["access_log_months"] == 24
    assert body["auto_apply"] is False
    assert [item["purpose"] for item in body["plan"]] == [
        "leads",
        "customers",
        "messages",
        "access_log",
    ]
    assert all(item["count"] == 0 and item["first"] == [] for item in body["plan"])


def test_patch_changes_periods(api: Any):
    answer = api.patch(
        URL, {"leads_months": 0, "auto_apply": True}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["plan"][0]["before"] is None
    policy = RetentionPolicy.current()
    assert policy.leads_months == 0 and policy.auto_apply is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"leads_months": -1}, "leads_months"),
        ({"messages_months": 241}, "messages_months"),
        ({"customers_months": "ten"}, "customers_months"),
        ({"access_log_months": None}, "access_log_months"),
        ({"forever": 1}, "forever"),
    ],
)
def test_bad_input_answers_422_naming_the_field(api: Any, payload: dict[str, Any], field: str):
    answer = api.patch(URL, payload, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert field in answer.content.decode()
    policy = RetentionPolicy.current()
    assert (policy.leads_months, policy.messages_months, policy.customers_months) == (24, 12, 36)


def test_only_admins(make_user: Any):
    client = token_client(make_user(Role.MANAGER, username="manager"))
    assert client.get(URL).status_code == 403
    assert (
        client.patch(URL, {"leads_months": 1}, content_type="application/json").status_code == 403
    )
    assert RetentionPolicy.current().leads_months == 24
