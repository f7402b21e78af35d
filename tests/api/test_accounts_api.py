"""The users and tokens API: the pages' services and permissions, 4xx naming the field."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import ApiToken, Role, User
from samphan.accounts.services import token_authenticate, token_create
from samphan.core.models import AuditEvent
from tests.conftest import token_client
from tests.factories import TeamFactory
from tests.querycount import assert_queries

GOOD_PASSWORD = "ชาเย็น-หวานน้อย-7"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def fields(response):
    return {item["loc"][-1] for item in response.json()["detail"]}


def test_an_admin_creates_lists_changes_and_deactivates_a_user(api, admin_user):
    team = TeamFactory(name="ทีมใต้")
    created = post(
        api,
        "/api/v1/users",
        {"username": "somsri", "role": Role.SALES, "team_id": team.pk, "password": GOOD_PASSWORD},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["role"], body["team_id"], body["has_password"]) == (Role.SALES, team.pk, True)
    assert body["invitation_sent"] is None and "password" not in body
    listed = api.get("/api/v1/users?q=soms").json()
    assert [user["username"] for user in listed["items"]] == ["somsri"]
    changed = patch(api, f"/api/v1/users/{body['id']}", {"role": Role.MANAGER, "team_id": None})
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["team_id"]) == (Role.MANAGER, None)
    off = post(api, f"/api/v1/users/{body['id']}/deactivate", {})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert api.get("/api/v1/users?status=inactive").json()["count"] == 1
    assert post(api, f"/api/v1/users/{body['id']}/reactivate", {}).json()["is_active"]
    actions = AuditEvent.objects.filter(subject_type="accounts.user", subject_id=body["id"])
    assert sorted(actions.values_list("action", flat=True)) == [
        "archive",
        "create",
        "restore",
        "update",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"username": "admin", "role": Role.SALES, "password": GOOD_PASSWORD}, 422, "username"),
        (
            {"username": "x", "role": Role.SALES, "email": "bad", "password": GOOD_PASSWORD},
            422,
            "email",
        ),
        ({"username": "x", "role": Role.SALES, "password": "12345678"}, 422, "password"),
        ({"username": "x", "role": Role.SALES}, 422, "email"),  # an invitation needs one
        ({"username": "x", "role": "owner", "password": GOOD_PASSWORD}, 422, "role"),
        (
            {"username": "x", "role": Role.SALES, "team_id": 999, "password": GOOD_PASSWORD},
            422,
            "team_id",
        ),
        ({"role": Role.SALES}, 422, "username"),
    ],
)
def test_bad_input_names_the_field(api, body, status, field):
    users = User.objects.count()
    response = post(api, "/api/v1/users", body)
    assert response.status_code == status, response.content
    assert field in fields(response)
    assert User.objects.count() == users


def test_the_last_admin_and_oneself_are_refused(api, admin_user):
    assert post(api, f"/api/v1/users/{admin_user.pk}/deactivate", {}).status_code == 422
    demoted = patch(api, f"/api/v1/users/{admin_user.pk}", {"role": Role.VIEWER})
    assert demoted.status_code == 422 and fields(demoted) == {"role"}
    assert api.get("/api/v1/users/999999").status_code == 404


@pytest.mark.parametrize("role", sorted(set(Role.NAMES) - {Role.ADMIN}))
def test_only_admins_reach_users(make_user, role):
    target = make_user(Role.VIEWER, username="target")
    client = token_client(make_user(role, username=f"as-{role}"))
    assert client.get("/api/v1/users").status_code == 403
    assert client.get(f"/api/v1/users/{target.pk}").status_code == 403
    assert post(client, f"/api/v1/users/{target.pk}/deactivate", {}).status_code == 403
    create = {"username": "new", "role": Role.ADMIN, "password": GOOD_PASSWORD}
    assert post(client, "/api/v1/users", create).status_code == 403
    assert not User.objects.filter(username="new").exists()


def test_tokens_are_the_callers_own(make_user):
    owner = make_user(Role.SALES)
    other = make_user(Role.MANAGER)
    others_raw = token_create(user=other, name="other's")
    client = token_client(owner)  # its own token "tests"
    created = post(client, "/api/v1/tokens", {"name": "till", "expires_in_days": 7})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert token_authenticate(raw) == owner
    listed = client.get("/api/v1/tokens").json()
    assert sorted(token["name"] for token in listed) == ["tests", "till"]
    assert raw not in json.dumps(listed)
    others = ApiToken.objects.get(name="other's")
    assert client.delete(f"/api/v1/tokens/{others.pk}").status_code == 404
    assert token_authenticate(others_raw) == other
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert token_authenticate(raw) is None
    bad = post(client, "/api/v1/tokens", {"name": "", "expires_in_days": 0})
    assert bad.status_code == 422 and fields(bad) == {"name", "expires_in_days"}


def test_the_list_pages_in_a_fixed_number_of_queries(api, make_user):
    for number in range(30):
        make_user(Role.SALES, username=f"staff{number:02}")
    with assert_queries(6):
        page = api.get("/api/v1/users?page_size=10&page=2").json()
    assert page["count"] == 31 and len(page["items"]) == 10


def test_a_new_token_expires_after_90_days_unless_told_otherwise(make_user):
    owner = make_user(Role.SALES)
    client = token_client(owner)
    soon = timezone.now() + dt.timedelta(days=90)
    default = post(client, "/api/v1/tokens", {"name": "till"}).json()
    expires = dt.datetime.fromisoformat(default["expires_at"])
    assert abs(expires - soon) < dt.timedelta(minutes=1)
    never = post(client, "/api/v1/tokens", {"name": "sheet", "expires_in_days": None}).json()
    assert never["expires_at"] is None
    yearly = post(client, "/api/v1/tokens", {"name": "pos", "expires_in_days": 365}).json()
    assert dt.datetime.fromisoformat(yearly["expires_at"]) > soon + dt.timedelta(days=274)
    # Once past its date it answers 401, as an unknown token does.
    ApiToken.objects.filter(name="till").update(expires_at=timezone.now())
    expired = Client(headers={"Authorization": f"Bearer {default['token']}"})
    assert expired.get("/api/v1/tokens").status_code == 401
    unknown = Client(headers={"Authorization": "Bearer sp_nothing"})
    assert unknown.get("/api/v1/tokens").json() == expired.get("/api/v1/tokens").json()
