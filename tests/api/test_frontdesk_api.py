"""/api/v1/frontdesk: check-in by phone, member number, card or id; the alerts feed and
greeting; expected today. Bad input answers 4xx naming the field and writes nothing."""

import pytest

from samphan.accounts.models import Role
from samphan.customers.membership import card_payload
from samphan.customers.models import Interaction
from samphan.frontdesk.models import AlertRule
from tests.conftest import token_client
from tests.factories import CustomerFactory
from tests.frontdesk.test_services import person
from tests.frontdesk.test_views import regular

pytestmark = pytest.mark.django_db
URL = "/api/v1/frontdesk/check-ins"


@pytest.fixture
def desk(make_user):
    return token_client(make_user(Role.FRONTDESK, username="desk"))


def test_check_in_by_phone_raises_the_vip_alert(desk):
    AlertRule.objects.create(name="VIP", kind="vip")
    anne = person("แอนนา", phone="0812345678", nickname="แอน", title="คุณ", is_vip=True)
    response = desk.post(URL, {"phone": "081-234-5678"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_id"] == anne.pk and body["greeting"] == "คุณแอน"
    assert body["how"] == "phone" and body["alert"]["reasons"] == ["VIP"]
    visit = Interaction.objects.get(pk=body["visit_id"])
    assert visit.kind == "visit" and visit.customer == anne
    feed = desk.get("/api/v1/frontdesk/alerts").json()
    assert [item["customer_id"] for item in feed["items"]] == [anne.pk]
    alert_id = feed["items"][0]["id"]
    greeted = desk.post(f"/api/v1/frontdesk/alerts/{alert_id}/greeted")
    assert greeted.status_code == 200 and greeted.json()["greeted_at"]
    assert desk.post(f"/api/v1/frontdesk/alerts/{alert_id}/greeted").status_code == 409
    assert desk.get("/api/v1/frontdesk/alerts").json()["items"] == []


def test_check_in_by_member_number_card_and_id(desk):
    anne = person("แอน", member_number="M202600001")
    for payload, how in [
        ({"member_number": "M202600001"}, "member"),
        ({"card": card_payload("M202600001")}, "card"),
        ({"customer_id": anne.pk}, "picked"),
    ]:
        response = desk.post(URL, payload, content_type="application/json")
        assert response.status_code == 201 and response.json()["how"] == how
    assert Interaction.objects.filter(customer=anne, kind="visit").count() == 3


def test_several_or_no_matches(desk):
    person("แอน", phone="0812345678")
    person("บี", phone="0899995678")
    several = desk.post(URL, {"phone": "5678"}, content_type="application/json")
    assert several.status_code == 409 and len(several.json()["candidates"]) == 2
    none = desk.post(URL, {"phone": "0800000000"}, content_type="application/json")
    assert none.status_code == 404
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "phone"),
        ({"phone": "0812345678", "member_number": "M1"}, "phone"),
        ({"card": "SPM1:M202600001:forged"}, "card"),
        ({"card": "https://example.com/x"}, "card"),
    ],
)
def test_bad_input_names_the_field(desk, payload, field):
    person("แอน", member_number="M202600001")
    response = desk.post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not Interaction.objects.exists()


def test_unknown_fields_and_wrong_types_are_refused(desk):
    assert desk.post(URL, {"nope": 1}, content_type="application/json").status_code == 422
    assert desk.post(URL, {"customer_id": "x"}, content_type="application/json").status_code == 422
    # JSON true is not the customer with id 1 (pydantic would read it as 1; schemathesis
    # sent it).
    regular_one = CustomerFactory(pk=1)
    answer = desk.post(URL, {"customer_id": True}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == "customer_id"
    assert not Interaction.objects.filter(customer=regular_one).exists()


def test_a_viewer_may_not_check_in(make_user):
    viewer = token_client(make_user(Role.VIEWER, username="viewer"))
    customer = CustomerFactory()
    response = viewer.post(URL, {"customer_id": customer.pk}, content_type="application/json")
    assert response.status_code == 403 and not Interaction.objects.exists()


def test_expected_today_with_the_vip_filter(desk):
    anne = regular(first_name="แอน", is_vip=True)
    regular(first_name="บี")
    everyone = desk.get("/api/v1/frontdesk/expected-today").json()
    assert len(everyone) == 2 and everyone[0]["likelihood"] == 1.0
    vips = desk.get("/api/v1/frontdesk/expected-today?vip=true").json()
    assert [item["customer_id"] for item in vips] == [anne.pk]
    assert desk.get("/api/v1/frontdesk/expected-today?page_size=0").status_code == 422
