"""/api/v1/alert-rules: list, read, create, change, delete; the rules page's permissions
for every role; bad input answers 4xx naming the field and writes nothing."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.frontdesk.models import AlertRule
from tests.conftest import token_client
from tests.factories import TagFactory, TeamFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/alert-rules"
JSON = "application/json"
MANAGERS = {Role.ADMIN, Role.MANAGER}  # the roles that manage rules on the page


@pytest.fixture
def manager(make_user):
    return token_client(make_user(Role.MANAGER, username="boss"))


def fields_of(body: dict) -> set[str]:
    return {error["loc"][-1] for error in body["detail"]}


def test_create_read_list_update_delete(manager):
    tag = TagFactory(name="ขาประจำ")
    team = TeamFactory(name="หน้าร้าน")
    created = manager.post(
        URL,
        {"name": "ขาประจำมาถึง", "kind": "tag", "tag_id": tag.pk, "audience": "team",
         "team_id": team.pk},
        content_type=JSON,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["tag_id"] == tag.pk and body["tag_name"] == "ขาประจำ"
    assert body["team_name"] == "หน้าร้าน" and body["is_active"] is True
    rule_id = body["id"]
    assert manager.get(f"{URL}/{rule_id}").json()["name"] == "ขาประจำมาถึง"

    changed = manager.patch(
        f"{URL}/{rule_id}", {"is_active": False, "audience": "everyone", "team_id": None},
        content_type=JSON,
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_active"] is False and changed.json()["team_id"] is None
    rule = AlertRule.objects.get()
    assert (rule.is_active, rule.audience, rule.team_id) == (False, "everyone", None)

    listed = manager.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == rule_id

    assert manager.delete(f"{URL}/{rule_id}").status_code == 204
    assert not AlertRule.objects.exists()
    assert manager.get(f"{URL}/{rule_id}").status_code == 404
    actions = AuditEvent.objects.filter(subject_type="frontdesk.alertrule").order_by("id")
    assert [event.action for event in actions] == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Gold", "kind": "tier"}, "tier"),  # a tier rule without its tier
        ({"name": "Gold", "kind": "tier", "tier": "none"}, "tier"),
        ({"name": "Tagged", "kind": "tag"}, "tag_id"),
        ({"name": "Tagged", "kind": "tag", "tag_id": 999_999}, "tag_id"),  # no such tag
        ({"name": "Top", "kind": "top"}, "top"),
        ({"name": "Top", "kind": "top", "top": 0}, "top"),
        ({"name": "Team", "kind": "vip", "audience": "team"}, "team_id"),
        ({"name": "Team", "kind": "vip", "audience": "team", "team_id": 999_999}, "team_id"),
        ({"name": "   ", "kind": "vip"}, "name"),
        ({"name": "", "kind": "vip"}, "name"),
        ({"name": "x" * 101, "kind": "vip"}, "name"),
        ({"name": "VIP", "kind": "famous"}, "kind"),
        ({"name": "VIP"}, "kind"),
        ({"name": "VIP", "kind": "vip", "audience": "boss"}, "audience"),
        ({"name": "VIP", "kind": "vip", "is_active": None}, "is_active"),
        ({"name": "VIP", "kind": "vip", "colour": "red"}, "colour"),
        ({"name": "VIP\x00", "kind": "vip"}, "name"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(manager, payload, field):
    response = manager.post(URL, payload, content_type=JSON)
    assert response.status_code in (400, 422), response.content
    assert field in fields_of(response.json())
    assert (
        not AlertRule.objects.exists()
        and not AuditEvent.objects.exclude(subject_type="accounts.apitoken").exists()
    )  # but the token


def test_a_bad_change_names_the_field_and_changes_nothing(manager):
    rule = AlertRule.objects.create(name="VIP", kind="vip")
    for payload, field in [
        ({"kind": "tag"}, "tag_id"),
        ({"audience": "team"}, "team_id"),
        ({"name": None}, "name"),
        ({"top": -1}, "top"),
    ]:
        response = manager.patch(f"{URL}/{rule.pk}", payload, content_type=JSON)
        assert response.status_code in (400, 422), (payload, response.content)
        assert field in fields_of(response.json()), payload
    rule.refresh_from_db()
    assert (rule.name, rule.kind, rule.audience) == ("VIP", "vip", "everyone")
    assert not AuditEvent.objects.exclude(
        subject_type="accounts.apitoken"
    ).exists()  # but the token
    assert manager.patch(f"{URL}/999999", {"name": "x"}, content_type=JSON).status_code == 404


@pytest.mark.parametrize("role", Role.NAMES)
def test_the_pages_permissions_for_every_role(make_user, role):
    client = token_client(make_user(role, username=f"u-{role}"))
    rule = AlertRule.objects.create(name="VIP", kind="vip")
    allowed = role in MANAGERS
    expected = {"list": 200, "get": 200, "create": 201, "update": 200, "delete": 204}
    answers = {
        "list": client.get(URL).status_code,
        "get": client.get(f"{URL}/{rule.pk}").status_code,
        "create": client.post(
            URL, {"name": "B", "kind": "birthday"}, content_type=JSON
        ).status_code,
        "update": client.patch(f"{URL}/{rule.pk}", {"name": "V"}, content_type=JSON).status_code,
        "delete": client.delete(f"{URL}/{rule.pk}").status_code,
    }
    assert answers == (expected if allowed else dict.fromkeys(expected, 403))
    # The page agrees: the rules list opens for the same roles.
    from django.test import Client

    page = Client()
    page.force_login(client_user := make_user(role, username=f"p-{role}"))
    assert client_user.has_perm("frontdesk.change_alertrule") == allowed
    assert page.get("/frontdesk/rules/").status_code == (200 if allowed else 403)


def test_without_credentials_nothing_is_told(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, {"name": "x", "kind": "vip"}, content_type=JSON).status_code == 401


def test_the_list_runs_a_fixed_number_of_queries(manager):
    team = TeamFactory(name="หน้าร้าน")
    for number in range(30):
        AlertRule.objects.create(
            name=f"กฎ {number:02d}", kind="tag", tag=TagFactory(), audience="team", team=team
        )
    with assert_queries(5):
        body = manager.get(f"{URL}?page_size=25").json()
    assert body["count"] == 30 and len(body["items"]) == 25
    assert body["items"][0]["name"] == "กฎ 00" and body["items"][0]["team_name"] == "หน้าร้าน"
    assert manager.get(f"{URL}?page_size=0").status_code in (400, 422)
