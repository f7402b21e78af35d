"""/api/v1/segments: create with rules checked (422 naming the path), preview, count and
list by the caller's visibility, static lists' members; nothing written on bad input."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.marketing.models import Segment, SegmentMember
from tests.conftest import token_client
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/segments"
GOLD = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_segment_by_rules_is_saved_counted_and_listed(api, people):
    created = post(api, URL, {"name": "ลูกค้าทอง", "rules": GOLD})
    assert created.status_code == 201, created.content
    segment_id = created.json()["id"]
    assert api.get(f"{URL}/{segment_id}/count").json() == {"count": 1}
    listed = api.get(f"{URL}/{segment_id}/customers").json()
    assert [item["display_name"] for item in listed["items"]] == ["แอน ใจดี"]
    assert Segment.objects.get(pk=segment_id).last_count == 1
    changed = api.put(f"{URL}/{segment_id}", {"name": "ลูกค้าทอง", "rules": {
        "match": "any", "rules": [*GOLD["rules"], {"field": "tier", "op": "in", "value": ["silver"]}]}},
        content_type="application/json")  # fmt: skip
    assert changed.status_code == 200
    assert api.get(f"{URL}/{segment_id}/count").json() == {"count": 2}
    assert api.delete(f"{URL}/{segment_id}").status_code == 204
    assert not Segment.objects.exists()


def test_preview_counts_and_samples_without_saving(api, people):
    response = post(api, f"{URL}/preview", {"rules": {"match": "all", "rules": [
        {"field": "last_purchase", "op": "never"}]}})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["display_name"] for item in body["sample"]] == ["อีฟ ใจดี", "แคท ใจดี"]
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "", "rules": GOLD}, "name", ""),
        ({"name": "x", "rules": {"rules": [{"field": "tier", "op": "in", "value": ["diamond"]}]}},
         "rules", "rules.0.value"),
        ({"name": "x", "rules": {"rules": [{"field": "nope", "op": "in"}]}}, "rules", "rules.0.field"),
        ({"name": "x", "kind": "smart"}, "kind", ""),
        ({"name": "x", "colour": "red"}, "colour", ""),
    ],
)  # fmt: skip
def test_bad_segments_are_422_naming_the_field_and_write_nothing(api, people, body, field, words):
    response = post(api, URL, body)
    assert response.status_code == 422, response.content
    details = response.json()["detail"]
    assert any(detail["loc"][-1] == field and words in detail["msg"] for detail in details)
    assert not Segment.objects.exists()


def test_a_name_is_used_once(api, people):
    assert post(api, URL, {"name": "VIP", "rules": GOLD}).status_code == 201
    again = post(api, URL, {"name": "VIP", "rules": GOLD})
    assert again.status_code == 422 and again.json()["detail"][0]["loc"][-1] == "name"


def test_preview_of_bad_rules_is_422(api, people):
    response = post(api, f"{URL}/preview", {"rules": {"match": "maybe", "rules": []}})
    assert response.status_code == 422
    assert "rules.match" in response.json()["detail"][0]["msg"]


def test_static_list_members_added_removed_and_audited(api, people):
    created = post(api, URL, {"name": "งานเปิดตัว", "kind": "static"})
    segment_id = created.json()["id"]
    ids = [people.ann.pk, people.cat.pk, people.dan.pk]  # แดน is archived: left out
    added = post(api, f"{URL}/{segment_id}/members", {"customer_ids": ids})
    assert added.json() == {"changed": 2}
    assert post(api, f"{URL}/{segment_id}/members", {"customer_ids": ids}).json() == {"changed": 0}
    assert api.get(f"{URL}/{segment_id}/count").json() == {"count": 2}
    audited = AuditEvent.objects.filter(subject_type="marketing.segment", action="create")
    assert sorted(audited.values_list("customer_id", flat=True)) == sorted(ids[:2])
    removed = post(api, f"{URL}/{segment_id}/members/remove", {"customer_ids": [people.cat.pk]})
    assert removed.json() == {"changed": 1}
    assert list(SegmentMember.objects.values_list("customer_id", flat=True)) == [people.ann.pk]


def test_rules_segments_take_no_members(api, people):
    segment_id = post(api, URL, {"name": "ทอง", "rules": GOLD}).json()["id"]
    response = post(api, f"{URL}/{segment_id}/members", {"customer_ids": [people.ann.pk]})
    assert response.status_code == 422
    assert not SegmentMember.objects.exists()


def test_a_rep_counts_only_their_own_customers(people):
    team = TeamFactory(name="ทีมเหนือ")
    rep = UserFactory(username="rep", role=Role.SALES, team=team)
    people.ann.owner = rep
    people.ann.save(update_fields=["owner"])
    CustomerFactory(tier="gold", first_name="อื่น", display_name="อื่น")  # someone else's
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    client = token_client(rep)
    assert client.get(f"{URL}/{segment.pk}/count").json() == {"count": 1}
    # A rep may look but not change segments.
    assert post(client, URL, {"name": "ของฉัน", "rules": GOLD}).status_code == 403


def test_fields_describe_what_rules_may_test(api, people):
    fields = {field["key"]: field for field in api.get(f"{URL}/fields").json()}
    assert {"tier", "spend_period", "usual_weekday", "rfm", "consent", "custom.shoe_size"} <= set(
        fields
    )
    assert fields["spend_period"]["period"] is True
    assert "gold" in [value for value, _label in fields["tier"]["choices"]]
