import pytest

from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from tests.api.calls import patch, post
from tests.factories import CustomerFactory, TagFactory
from tests.querycount import assert_queries


def test_create_get_update_archive(api):
    TagFactory(name="ลูกค้าประจำ")
    response = post(
        api,
        "/api/v1/customers",
        {
            "title": "คุณ",
            "first_name": "สมหญิง",
            "nickname": "หญิง",
            "birthday": "1990-05-01",
            "tags": ["ลูกค้าประจำ"],
            "contact_points": [{"kind": "mobile", "value": "081-234-5678", "is_preferred": True}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "สมหญิง"
    assert body["tags"] == ["ลูกค้าประจำ"]
    assert body["contact_points"][0]["value"] == "+66812345678"
    pk = body["id"]
    assert api.get(f"/api/v1/customers/{pk}").json()["birthday"] == "1990-05-01"
    updated = patch(api, f"/api/v1/customers/{pk}", {"tier": "gold", "is_vip": True})
    assert updated.status_code == 200
    assert (updated.json()["tier"], updated.json()["is_vip"]) == ("gold", True)
    archived = api.post(f"/api/v1/customers/{pk}/archive")
    assert archived.json()["archived"] is True
    assert api.get("/api/v1/customers").json()["count"] == 0
    assert api.get("/api/v1/customers?archived=true").json()["count"] == 1


def test_photo_url_is_absolute_or_null(api):
    with_photo = CustomerFactory(photo="photos/2026/11/somchai.jpg")
    without = CustomerFactory()
    body = api.get(f"/api/v1/customers/{with_photo.pk}").json()
    assert body["photo_url"] == "http://testserver/media/photos/2026/11/somchai.jpg"
    assert api.get(f"/api/v1/customers/{without.pk}").json()["photo_url"] is None
    listed = {
        item["id"]: item["photo_url"] for item in api.get("/api/v1/customers").json()["items"]
    }
    assert listed == {with_photo.pk: body["photo_url"], without.pk: None}


def test_search_and_pagination(api):
    for index in range(7):
        CustomerFactory(first_name=f"ลูกค้า{index}")
    page = api.get("/api/v1/customers?page_size=3&page=3").json()
    assert (page["count"], len(page["items"]), page["page"]) == (7, 1, 3)
    assert api.get("/api/v1/customers?q=ลูกค้า4").json()["count"] == 1
    assert api.get("/api/v1/customers?page_size=1000").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "ก" * 101}, "first_name"),
        ({"kind": "company", "company_name": "บจก. ทดสอบ", "tax_id": "0105551234568"}, "tax_id"),
        ({"first_name": "x", "stage": "bogus"}, "stage"),
        ({"first_name": "x", "birthday": "31/12/1990"}, "birthday"),
        (
            {"first_name": "x", "contact_points": [{"kind": "mobile", "value": "12"}]},
            "contact_points.0.value",
        ),
        (
            {"first_name": "x", "contact_points": [{"kind": "email", "value": "nope"}]},
            "contact_points.0.value",
        ),
        ({"first_name": "x", "owner_id": 999999}, "owner"),
        ({"first_name": "x", "tags": ["ไม่มีแท็กนี้"]}, "tags"),
        ({"first_name": "x\x00y"}, "first_name"),
        ({"first_name": "x", "unexpected": 1}, "unexpected"),
        ({"last_name": "ไม่มีชื่อ"}, "first_name"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(api, body, field):
    response = post(api, "/api/v1/customers", body)
    assert response.status_code == 422, response.content
    locations = [
        ".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]
    ]
    assert any(location.endswith(field) for location in locations), locations
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exclude(
        subject_type="accounts.apitoken"
    ).exists()  # but the token


def test_duplicate_phone_is_409_unless_allowed(api):
    body = {"first_name": "หนึ่ง", "contact_points": [{"kind": "mobile", "value": "0812345678"}]}
    assert post(api, "/api/v1/customers", body).status_code == 201
    again = post(api, "/api/v1/customers", {**body, "first_name": "สอง"})
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["body", "contact_points"]
    assert (
        post(
            api, "/api/v1/customers", {**body, "first_name": "สอง", "allow_duplicate": True}
        ).status_code
        == 201
    )


def test_contact_points_and_timeline(api):
    customer = CustomerFactory()
    made = post(
        api,
        f"/api/v1/customers/{customer.pk}/contact-points",
        {"kind": "email", "value": "A@B.co.th"},
    )
    assert made.status_code == 201 and made.json()["value"] == "a@b.co.th"
    point_id = made.json()["id"]
    assert patch(api, f"/api/v1/contact-points/{point_id}", {"value": "bad"}).status_code == 422
    assert ContactPoint.objects.get(pk=point_id).value == "a@b.co.th"
    assert patch(api, f"/api/v1/contact-points/{point_id}", {"is_preferred": True}).json()[
        "is_preferred"
    ]
    assert api.delete(f"/api/v1/contact-points/{point_id}").status_code == 204
    assert api.get(f"/api/v1/contact-points/{point_id}").status_code == 404
    logged = post(
        api,
        f"/api/v1/customers/{customer.pk}/interactions",
        {"kind": "call", "summary": "โทรคุยเรื่องราคา"},
    )
    assert logged.status_code == 201
    timeline = api.get(f"/api/v1/customers/{customer.pk}/interactions").json()
    assert [item["summary"] for item in timeline["items"]] == ["โทรคุยเรื่องราคา"]
    assert (
        post(
            api, f"/api/v1/customers/{customer.pk}/interactions", {"kind": "dance", "summary": "x"}
        ).status_code
        == 422
    )


def test_companies_and_tags(api):
    company = post(
        api,
        "/api/v1/companies",
        {"company_name": "บริษัท สยามฟู้ดส์ จำกัด", "tax_id": "0105551234567", "industry": "food"},
    )
    assert company.status_code == 201, company.content
    assert company.json()["kind"] == "company"
    person = CustomerFactory()
    assert api.get(f"/api/v1/companies/{person.pk}").status_code == 404
    assert post(api, "/api/v1/tags", {"name": "ขายส่ง"}).status_code == 201
    assert post(api, "/api/v1/tags", {"name": "ขายส่ง"}).status_code == 422
    assert post(api, "/api/v1/tags", {"name": ""}).status_code == 422


def test_not_found_and_huge_ids(api):
    assert api.get("/api/v1/customers/424242").status_code == 404
    assert api.get(f"/api/v1/customers/{2**70}").status_code == 422


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers" in schema["paths"]
    assert "422" in schema["paths"]["/api/v1/customers"]["post"]["responses"]


def test_list_queries_do_not_grow_with_page_size(api):
    def count(size):
        with assert_queries() as captured:
            assert api.get(f"/api/v1/customers?page_size={size}").status_code == 200
        return len(captured)

    for _ in range(30):
        customer = CustomerFactory()
        customer.tags.add(TagFactory(name="ประจำ"))
    count(1)  # the first call of the minute also records the token's last use
    assert count(2) == count(30)
