"""Segment pages: the builder saves rules or says what is wrong beside the field, the live
preview, a segment's customers in a fixed number of queries, static lists by hand and by
CSV (all or nothing unless asked), the export, the customer page's panel, and who may do
what."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from samphan.accounts.models import Role
from samphan.marketing.models import Campaign, Segment, SegmentMember
from tests.factories import ContactPointFactory, CustomerFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
GOLD = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}


def test_the_builder_saves_a_segment(admin_client, people):
    page = admin_client.get("/segments/new/")
    assert page.status_code == 200
    assert b'id="segment-builder"' in page.content and b"segment-fields" in page.content
    response = admin_client.post(
        "/segments/new/", {"name": "ลูกค้าทอง", "kind": "rules", "rules": json.dumps(GOLD)}
    )
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/segments/{segment.pk}/"
    detail = admin_client.get(f"/segments/{segment.pk}/")
    assert "แอน ใจดี" in detail.text and "เบน ใจดี" not in detail.text


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ("{not json", "not valid JSON"),
        (
            json.dumps({"rules": [{"field": "tier", "op": "in", "value": ["diamond"]}]}),
            "rules.0.value",
        ),
    ],
)
def test_bad_rules_are_shown_beside_the_field_and_nothing_is_saved(
    admin_client, people, rules, words
):
    response = admin_client.post("/segments/new/", {"name": "x", "kind": "rules", "rules": rules})
    assert response.status_code == 400
    assert words in response.text
    assert 'class="field field-error rules-json"' in response.text
    assert not Segment.objects.exists()


def test_the_preview_counts_as_you_edit(admin_client, people):
    response = admin_client.post("/segments/preview/", {"rules": json.dumps(GOLD)})
    assert response.status_code == 200
    assert "<strong>1</strong>" in response.text and "แอน ใจดี" in response.text
    bad = admin_client.post("/segments/preview/", {"rules": json.dumps({"match": "x"})})
    assert 'data-error-path="rules.match"' in bad.text
    assert "not valid JSON" in admin_client.post("/segments/preview/", {"rules": "["}).text


def test_a_segment_page_runs_a_fixed_number_of_queries(admin_client, people):
    segment = Segment.objects.create(name="ทุกคน", rules={"match": "all", "rules": []})
    for number in range(30):
        CustomerFactory(first_name=f"ก{number}", display_name=f"ก{number}")
    with assert_queries(8):
        response = admin_client.get(f"/segments/{segment.pk}/")
    assert response.status_code == 200
    assert "34 customers" in response.text or "34" in response.text
    assert admin_client.get(f"/segments/{segment.pk}/?page=2").status_code == 200


def test_static_list_by_hand_from_the_customer_page(admin_client, people):
    listed = Segment.objects.create(name="งานเปิดตัว", kind="static")
    panel = admin_client.get(f"/segments/customers/{people.ann.pk}/lists/")
    assert "งานเปิดตัว" in panel.text and "On no static list" in panel.text
    response = admin_client.post(
        f"/segments/customers/{people.ann.pk}/lists/", {"segment": listed.pk}
    )
    assert response.status_code == 302
    assert list(listed.members.values_list("customer_id", flat=True)) == [people.ann.pk]
    admin_client.post(f"/segments/{listed.pk}/members/",
                      {"customer": people.ann.pk, "action": "remove"})  # fmt: skip
    assert not listed.members.exists()
    # A rules segment takes nobody by hand.
    rules = Segment.objects.create(name="ทอง", rules=GOLD)
    assert admin_client.post(f"/segments/customers/{people.ann.pk}/lists/",
                             {"segment": rules.pk}).status_code == 404  # fmt: skip


def csv_file(rows, name="list.csv", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def test_csv_import_adds_by_phone_email_member_number_and_id(admin_client, people):
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    ContactPointFactory(customer=people.ben, kind="mobile", value="+66812345678")
    ContactPointFactory(customer=people.cat, kind="email", value="cat@example.com")
    people.eve.member_number = "M-0007"
    people.eve.save(update_fields=["member_number"])
    rows = [["customer_id", "mobile", "email", "member_number"],
            [people.ann.pk, "", "", ""], ["", "081-234-5678", "", ""],
            ["", "", "CAT@example.com", ""], ["", "", "", "M-0007"]]  # fmt: skip
    response = admin_client.post(f"/segments/{listed.pk}/members/import/", {"file": csv_file(rows)})
    assert response.status_code == 302, response.text
    members = set(listed.members.values_list("customer_id", flat=True))
    assert members == {people.ann.pk, people.ben.pk, people.cat.pk, people.eve.pk}


def test_csv_import_with_unknown_rows_adds_nothing_unless_asked(admin_client, people):
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    rows = [["customer_id", "email"], [people.ann.pk, ""], ["", "nobody@example.com"],
            [people.dan.pk, ""], ["", ""]]  # fmt: skip
    response = admin_client.post(f"/segments/{listed.pk}/members/import/", {"file": csv_file(rows)})
    assert response.status_code == 400
    assert "Nothing was added" in response.text
    for row in ("<td>3</td>", "<td>4</td>", "<td>5</td>"):  # archived แดน is nobody to add
        assert row in response.text
    assert not listed.members.exists()
    response = admin_client.post(f"/segments/{listed.pk}/members/import/",
                                 {"file": csv_file(rows), "skip_invalid": "on"})  # fmt: skip
    assert list(listed.members.values_list("customer_id", flat=True)) == [people.ann.pk]


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (csv_file([["name"], ["แอน"]]), "header row"),
        (
            SimpleUploadedFile(
                "x.csv", "customer_id\n1\n".encode("utf-16"), content_type="text/csv"
            ),
            "UTF-8",
        ),
    ],
)
def test_csv_import_refuses_bad_files(admin_client, people, upload, words):
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    response = admin_client.post(f"/segments/{listed.pk}/members/import/", {"file": upload})
    assert response.status_code == 400 and words in response.text
    assert not SegmentMember.objects.exists()


def test_export_streams_the_visible_customers(admin_client, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    response = admin_client.get(f"/segments/{segment.pk}/export/")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Customer ID", "Member number", "Name (Thai)"]
    assert [row[2] for row in rows[1:]] == ["แอน ใจดี"]


@pytest.mark.parametrize(
    ("role", "may_view", "may_edit"),
    [
        (Role.ADMIN, True, True),
        (Role.MANAGER, True, True),
        (Role.MARKETING, True, True),
        (Role.SALES, True, False),
        (Role.SUPPORT, True, False),
        (Role.VIEWER, True, False),
        (Role.FRONTDESK, False, False),
    ],
)
def test_who_may_see_and_change_segments(people, role, may_view, may_edit):
    user = UserFactory(username=f"u-{role}", role=role, language="en")
    client = Client()
    client.force_login(user)
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    assert (client.get("/segments/").status_code == 200) is may_view
    assert (client.get(f"/segments/{segment.pk}/").status_code == 200) is may_view
    created = client.post("/segments/new/", {"name": "ใหม่", "kind": "rules", "rules": ""})
    assert (created.status_code == 302) is may_edit
    assert Segment.objects.filter(name="ใหม่").exists() is may_edit
    deleted = client.post(f"/segments/{segment.pk}/delete/")
    assert (deleted.status_code == 302) is may_edit


def test_anonymous_visitors_go_to_the_login(people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    for url in ("/segments/", f"/segments/{segment.pk}/", f"/segments/{segment.pk}/export/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_empty_list_says_what_segments_are(admin_client, db):
    response = admin_client.get("/segments/")
    assert "No segments yet" in response.text or "ยังไม่มี" in response.text


def campaign_form(segment, **overrides):
    data = {
        "name": "โปรธันวา", "segment": segment.pk, "channel": "email", "holdout_percent": 10,
        "conversion_days": 14, "baseline_percent": "5", "effect_points": "2",
        "variants-TOTAL_FORMS": 2, "variants-INITIAL_FORMS": 0,
        "variants-MIN_NUM_FORMS": 1, "variants-MAX_NUM_FORMS": 5,
        "variants-0-share": 50, "variants-0-subject_th": "ลด 20%", "variants-0-text_th": "สวัสดีคุณ{{ nickname }}",
        "variants-1-share": 50, "variants-1-subject_th": "ของขวัญ", "variants-1-text_th": "คุณ{{ nickname }} รับของขวัญ",
    }  # fmt: skip
    return {**data, **overrides}


def test_campaign_pages_write_preview_and_schedule(admin_client, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    assert "No campaigns yet" in admin_client.get("/segments/campaigns/").text
    assert admin_client.get("/segments/campaigns/new/").status_code == 200
    response = admin_client.post("/segments/campaigns/new/", campaign_form(segment))
    assert response.status_code == 302, response.text
    campaign = Campaign.objects.get()
    detail = admin_client.get(f"/segments/campaigns/{campaign.pk}/")
    assert "2,213" in detail.text and "แอน ใจดี" in detail.text
    preview = admin_client.get(
        f"/segments/campaigns/{campaign.pk}/preview/?customer={people.ann.pk}"
    )
    assert "สวัสดีคุณชาย" in preview.text or "สวัสดีคุณแอน" in preview.text
    past = admin_client.post(
        f"/segments/campaigns/{campaign.pk}/schedule/", {"at": "2020-01-01T10:00"}
    )
    assert past.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    admin_client.post(f"/segments/campaigns/{campaign.pk}/schedule/", {"at": ""})
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    # Polling the results of a finished campaign reloads the whole page once.
    Campaign.objects.filter(pk=campaign.pk).update(status="sent")
    polled = admin_client.get(f"/segments/campaigns/{campaign.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"


def test_a_bad_campaign_form_says_which_variant(admin_client, people):
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    data = campaign_form(
        segment, **{"variants-1-text_th": "คูปอง {{ coupon }}", "variants-0-subject_th": ""}
    )
    response = admin_client.post("/segments/campaigns/new/", data)
    assert response.status_code == 400
    assert "Unknown: {{ coupon }}" in response.text and "An e-mail needs a subject" in response.text
    assert not Campaign.objects.exists()


def test_a_test_send_reaches_the_smtp_server(admin_client, people, smtp):
    from samphan.messaging.outbox import Outbox, RateLimits

    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    admin_client.post("/segments/campaigns/new/", campaign_form(segment))
    campaign = Campaign.objects.get()
    ContactPointFactory(customer=people.ann, kind="email", value="ann@example.com")
    variant = campaign.variants.get(label="B")
    response = admin_client.post(f"/segments/campaigns/{campaign.pk}/test/",
                                 {"variant": variant.pk, "customer": people.ann.pk})  # fmt: skip
    assert response.status_code == 302
    assert Outbox(RateLimits({})).run() == 1
    (mail,) = smtp.messages
    assert mail["Subject"] == "[TEST] ของขวัญ" and mail["To"] == "ann@example.com"
    assert not campaign.recipients.exists()


@pytest.mark.parametrize(
    ("role", "may_edit"), [(Role.MARKETING, True), (Role.SALES, False), (Role.VIEWER, False)]
)
def test_who_may_write_campaigns(people, role, may_edit):
    user = UserFactory(username=f"c-{role}", role=role, language="en")
    client = Client()
    client.force_login(user)
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    assert client.get("/segments/campaigns/").status_code == 200
    response = client.post("/segments/campaigns/new/", campaign_form(segment))
    assert (response.status_code == 302) is may_edit
    assert Campaign.objects.exists() is may_edit


@pytest.mark.parametrize("raw", ["9" * 30, "-1", "abc", ""])
def test_ids_out_of_range_find_nothing(admin_client, people, raw):
    listed = Segment.objects.create(name="รายชื่อ", kind="static")
    assert (
        admin_client.post(f"/segments/{listed.pk}/members/", {"customer": raw}).status_code == 404
    )
    assert (
        admin_client.post(
            f"/segments/customers/{people.ann.pk}/lists/", {"segment": raw}
        ).status_code
        == 404
    )
    segment = Segment.objects.create(name="ทอง", rules=GOLD)
    admin_client.post("/segments/campaigns/new/", campaign_form(segment))
    campaign = Campaign.objects.get()
    assert (
        admin_client.get(f"/segments/campaigns/{campaign.pk}/preview/?customer={raw}").status_code
        == 404
    )
    assert (
        admin_client.post(
            f"/segments/campaigns/{campaign.pk}/test/", {"variant": raw, "customer": raw}
        ).status_code
        == 404
    )
