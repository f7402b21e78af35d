"""/api/v1/privacy/requests and /api/v1/privacy/breaches: list, create, read, update, with
bad input answered 422 naming the field and nothing written."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.privacy.models import Breach, SubjectRequest
from tests.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type=JSON)


def patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type=JSON)


def fields_of(response: Any) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


def test_requests_create_list_read_update(api, admin_user):
    customer = CustomerFactory()
    received = timezone.localdate() - dt.timedelta(days=40)
    created = post(api, "/api/v1/privacy/requests", {
        "kind": "restriction", "requester_name": "สมหญิง", "requester_contact": "0812345678",
        "customer_id": customer.pk, "identity_method": "contact_on_file",
        "received_on": received.isoformat(),
    })  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["due_on"] == (received + dt.timedelta(days=30)).isoformat()
    assert body["days_left"] == -10 and body["status"] == "open"
    post(api, "/api/v1/privacy/requests", {"kind": "access", "requester_name": "ก",
                                          "requester_contact": "a@example.com"})  # fmt: skip
    listed = api.get("/api/v1/privacy/requests").json()
    assert listed["count"] == 2 and listed["items"][0]["id"] == body["id"]  # overdue first
    assert api.get("/api/v1/privacy/requests?kind=access").json()["count"] == 1
    assert api.get("/api/v1/privacy/requests?q=สมหญิง").json()["count"] == 1
    url = f"/api/v1/privacy/requests/{body['id']}"
    assert api.get(url).json()["requester_name"] == "สมหญิง"
    done = patch(api, url, {"status": "done", "notes": "หยุดส่งโปรแล้ว"})
    assert done.status_code == 200 and done.json()["closed_at"]
    customer.refresh_from_db()
    assert customer.processing_restricted
    assert api.get("/api/v1/privacy/requests").json()["count"] == 1  # unfinished only
    assert api.get("/api/v1/privacy/requests?status=all").json()["count"] == 2
    actions = AuditEvent.objects.filter(subject_type="privacy.subjectrequest").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "create", "update"]


def test_request_bad_input_names_the_field_and_writes_nothing(api, make_user):
    base = {"kind": "access", "requester_name": "ก", "requester_contact": "x"}
    hidden = CustomerFactory(owner=make_user(Role.SALES, username="other"))
    rep = make_user(Role.SALES, username="rep")
    cases = [
        ({**base, "kind": "delete-everything"}, "kind"),
        ({**base, "requester_name": ""}, "requester_name"),
        ({**base, "received_on": "2999-01-01"}, "received_on"),
        ({**base, "received_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
         "received_on"),
        ({**base, "customer_id": 99_999_999}, "customer_id"),
        ({**base, "handled_by_id": 99_999_999}, "handled_by_id"),
        ({**base, "status": "done"}, "status"),
        ({**base, "surprise": 1}, "surprise"),
    ]  # fmt: skip
    for body, field in cases:
        response = post(api, "/api/v1/privacy/requests", body)
        assert response.status_code == 422, (body, response.json())
        assert field in fields_of(response), (field, response.json())
    assert not SubjectRequest.objects.exists()
    created = post(api, "/api/v1/privacy/requests", base).json()
    url = f"/api/v1/privacy/requests/{created['id']}"
    refused = patch(api, url, {"status": "refused"})
    assert refused.status_code == 422 and "refusal_reason" in fields_of(refused)
    assert patch(api, url, {"kind": None}).status_code == 422
    assert api.get(url).json()["status"] == "open"
    # A rep may neither see nor write requests.
    rep_client = token_client(rep)
    assert rep_client.get("/api/v1/privacy/requests").status_code == 403
    assert rep_client.get(url).status_code == 403
    assert post(rep_client, "/api/v1/privacy/requests", base).status_code == 403
    assert api.get("/api/v1/privacy/requests/99999999").status_code == 404
    assert hidden.pk  # seen by the admin: a valid id
    assert (
        post(api, "/api/v1/privacy/requests", {**base, "customer_id": hidden.pk}).status_code == 201
    )


def test_breaches_create_list_read_update(api):
    customers = [CustomerFactory(), CustomerFactory()]
    found = (timezone.now() - dt.timedelta(hours=80)).replace(microsecond=0)
    created = post(api, "/api/v1/privacy/breaches", {
        "what_happened": "โน้ตบุ๊กที่มีรายชื่อลูกค้าหาย", "found_at": found.isoformat(),
        "affected_count": 2, "customer_ids": [c.pk for c in customers],
        "data_kinds": "ชื่อ เบอร์โทร", "risk": "high",
    })  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["customer_ids"] == sorted(c.pk for c in customers)
    assert dt.datetime.fromisoformat(body["report_by"]) == found + dt.timedelta(hours=72)
    breach = Breach.objects.get()
    assert breach.report_overdue and breach.hours_overdue == 8
    url = f"/api/v1/privacy/breaches/{body['id']}"
    told = patch(api, url, {"regulator_notified_at": timezone.now().isoformat(),
                            "measures": "เปลี่ยนรหัสผ่านทุกบัญชี", "customer_ids": []})  # fmt: skip
    assert told.status_code == 200 and told.json()["customer_ids"] == []
    breach.refresh_from_db()
    assert not breach.report_overdue
    assert api.get("/api/v1/privacy/breaches").json()["count"] == 1
    assert api.get(url).json()["measures"] == "เปลี่ยนรหัสผ่านทุกบัญชี"
    changes = AuditEvent.objects.filter(subject_type="privacy.breach").order_by("id")
    assert [event.action for event in changes] == ["create", "update"]
    assert "regulator_notified_at" in changes[1].changes


def test_breach_bad_input_names_the_field_and_writes_nothing(api):
    now = timezone.now()
    base = {"what_happened": "อีเมลส่งผิดคน", "found_at": now.isoformat(), "data_kinds": "อีเมล"}
    cases = [
        ({**base, "found_at": (now + dt.timedelta(days=1)).isoformat()}, "found_at"),
        ({**base, "happened_at": (now + dt.timedelta(hours=1)).isoformat()}, "happened_at"),
        ({**base, "affected_count": -1}, "affected_count"),
        ({**base, "risk": "none"}, "risk"),
        ({**base, "happened_at": 0}, "happened_at"),  # not a Unix time
        ({**base, "found_at": "0"}, "found_at"),  # not a Unix time written as text (schemathesis)
        ({**base, "found_at": "1700000000"}, "found_at"),
        ({**base, "affected_count": False}, "affected_count"),
        ({**base, "customer_ids": [99_999_999]}, "customer_ids"),
        ({**base, "data_kinds": ""}, "data_kinds"),
        ({**base, "regulator_notified_at": (now - dt.timedelta(days=1)).isoformat()},
         "regulator_notified_at"),
    ]  # fmt: skip
    for body, field in cases:
        response = post(api, "/api/v1/privacy/breaches", body)
        assert response.status_code == 422, (body, response.json())
        assert field in fields_of(response), (field, response.json())
    assert not Breach.objects.exists()
