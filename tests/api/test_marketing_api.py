"""/api/v1/segments: create with rules checked (422 naming the path), preview, count and
list by the caller's visibility, static lists' members; nothing written on bad input."""

import pytest

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.marketing.models import Segment, SegmentMember
from tests.conftest import token_client
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.marketing import conftest as marketing

# The marketing tests' fixtures, here too: English messages, an English-speaking admin and
# the population whose members of each rule are known by hand.
english, admin_user, people = marketing.english, marketing.admin_user, marketing.people

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


def test_only_the_keys_rules_use_are_stored(api, people):
    # Stray keys could hold anything, NUL included, which PostgreSQL's jsonb refuses.
    rules = {"match": "all", "stray\x00": {"x": "\x00"}, "rules": [
        {"field": "tier", "op": "in", "value": ["gold"], "note\x00": 1},
        {"field": "last_purchase", "op": "never", "value": "\x00"},
        {"match": "any", "colour": "red", "rules": [
            {"field": "spend_period", "op": "gte", "value": 5, "days": 30}]}]}  # fmt: skip
    created = post(api, URL, {"name": "x", "rules": rules})
    assert created.status_code == 201, created.content
    assert Segment.objects.get().rules == {"match": "all", "rules": [
        {"field": "tier", "op": "in", "value": ["gold"]},
        {"field": "last_purchase", "op": "never"},
        {"match": "any", "rules": [{"field": "spend_period", "op": "gte", "value": 5, "days": 30}]}]}  # fmt: skip


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


def campaign_body(segment, **overrides):
    body = {
        "name": "โปรธันวา",
        "segment_id": segment,
        "channel": "email",
        "variants": [
            {"share": 50, "subject_th": "ลด 20%", "text_th": "สวัสดีคุณ{{ nickname }}"},
            {"share": 50, "subject_th": "ของขวัญ", "text_th": "คุณ{{ nickname }} รับของขวัญ"},
        ],
    }
    return {**body, **overrides}


def test_a_campaign_through_the_api(api, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    created = post(api, "/api/v1/campaigns", campaign_body(segment.pk))
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert [variant["label"] for variant in campaign["variants"]] == ["A", "B"]
    assert campaign["status"] == "draft"
    results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()
    assert results["needed_per_group"] == 2213 and results["window_ends"] is None
    scheduled = post(api, f"/api/v1/campaigns/{campaign['id']}/schedule", {})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    from samphan.marketing.campaigns import campaigns_run

    campaigns_run()
    results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()
    groups = {group["group"]: group for group in results["groups"]}
    assert sum(group["recipients"] for group in groups.values()) == 1
    # แอน, the one gold customer, has no address: skipped, so the campaign is done.
    assert groups["A"]["skipped"] + groups["B"]["skipped"] == 1
    assert api.get(f"/api/v1/campaigns/{campaign['id']}").json()["status"] == "sent"
    assert post(api, f"/api/v1/campaigns/{campaign['id']}/cancel", {}).status_code == 422
    other = post(api, "/api/v1/campaigns", campaign_body(segment.pk, name="อีกอัน")).json()
    post(api, f"/api/v1/campaigns/{other['id']}/schedule", {"at": "2099-01-01T10:00:00+07:00"})
    cancelled = post(api, f"/api/v1/campaigns/{other['id']}/cancel", {})
    assert cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"variants": []}, "variants"),
        ({"holdout_percent": 80}, "holdout_percent"),
        ({"channel": "fax"}, "channel"),
        ({"variants": [{"share": 50, "subject_th": "", "text_th": "x"}]}, "subject_th"),
        ({"variants": [{"share": 50, "subject_th": "s", "text_th": "{{ secret }}"}]}, "text_th"),
        ({"segment_id": 999999}, "segment"),
        ({"baseline_percent": "90", "effect_points": "20"}, "effect_points"),
    ],
)
def test_bad_campaigns_are_422_naming_the_field(api, people, overrides, field):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    response = post(api, "/api/v1/campaigns", campaign_body(segment.pk, **overrides))
    assert response.status_code == 422, response.content
    assert any(field in str(detail["loc"][-1]) for detail in response.json()["detail"])
    from samphan.marketing.models import Campaign

    assert not Campaign.objects.exists()


def test_a_schedule_in_the_past_is_refused(api, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    campaign_id = post(api, "/api/v1/campaigns", campaign_body(segment.pk)).json()["id"]
    response = post(
        api, f"/api/v1/campaigns/{campaign_id}/schedule", {"at": "2020-01-01T10:00:00+07:00"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "at"


def test_a_segment_with_campaigns_is_kept(api, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    post(api, "/api/v1/campaigns", campaign_body(segment.pk))
    response = api.delete(f"{URL}/{segment.pk}")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "segment"
    assert Segment.objects.filter(pk=segment.pk).exists()
