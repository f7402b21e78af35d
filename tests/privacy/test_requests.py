"""Data-subject requests (PDPA ss.30-36): logged with who asked and how identity was
checked, due 30 days after receipt, progressed and closed on their page, every change
audited; a restriction or objection closed as done restricts the customer; reminders once
a day of what is due within 7 days or overdue."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent, Notification
from samphan.privacy import services
from samphan.privacy.models import SubjectRequest
from tests.browser_forms import form_data
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user: Any) -> Any:
    return make_user(Role.MANAGER, username="manager", language="en")


@pytest.fixture
def manager_client(manager: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(manager)
    return client


def log(**fields: Any) -> SubjectRequest:
    data = {"kind": "access", "requester_name": "สมหญิง ใจดี", "requester_contact": "0812345678"}
    return services.subject_request_create(actor=None, data={**data, **fields})


def test_a_request_is_due_30_days_after_receipt_and_audited():
    received = timezone.localdate() - dt.timedelta(days=3)
    request = log(received_on=received)
    assert request.due_on == received + dt.timedelta(days=30)
    assert request.days_left() == 27 and request.status == "open"
    event = AuditEvent.objects.get(subject_type="privacy.subjectrequest", subject_id=request.pk)
    assert event.action == "create" and event.changes["kind"] == [None, "access"]


def test_bad_input_names_the_field_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        log(received_on=timezone.localdate() + dt.timedelta(days=2))
    assert "received_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        log(kind="nonsense")
    assert "kind" in error.value.message_dict
    assert not SubjectRequest.objects.exists()
    request = log()
    with pytest.raises(ValidationError) as error:
        services.subject_request_update(actor=None, request=request, data={"status": "refused"})
    assert "refusal_reason" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == "open" and request.closed_at is None


def test_closing_a_restriction_request_restricts_the_customer():
    customer = CustomerFactory()
    request = log(kind="restriction")
    with pytest.raises(ValidationError) as error:  # nobody to restrict yet
        services.subject_request_update(actor=None, request=request, data={"status": "done"})
    assert "customer" in error.value.message_dict
    request = services.subject_request_update(
        actor=None, request=request, data={"customer": customer, "status": "done"}
    )
    assert request.closed_at is not None
    customer.refresh_from_db()
    assert customer.processing_restricted
    assert customer.processing_restricted_reason  # names the request and its date
    # Refused with a reason: closed, nothing restricted.
    other = CustomerFactory()
    objection = log(kind="objection", customer=other)
    services.subject_request_update(
        actor=None,
        request=objection,
        data={"status": "refused", "refusal_reason": "สัญญายังมีผล (มาตรา 24(3))"},
    )
    other.refresh_from_db()
    assert not other.processing_restricted


def test_reminders_once_a_day_to_the_handler_or_the_managers(manager, make_user):
    today = timezone.localdate()
    handler = make_user(Role.SUPPORT, username="handler", language="th")
    soon = log(received_on=today - dt.timedelta(days=25), handled_by=handler)  # 5 days left
    late = log(received_on=today - dt.timedelta(days=31))  # overdue by 1: the managers
    log(received_on=today - dt.timedelta(days=2))  # 28 days left: not yet
    done = log(received_on=today - dt.timedelta(days=31))
    services.subject_request_update(actor=None, request=done, data={"status": "done"})
    assert services.requests_remind(today) == 2
    assert services.requests_remind(today) == 0  # the same day: nothing again
    told = {(n.user.username, n.url) for n in Notification.objects.select_related("user")}
    assert told == {
        ("handler", f"/privacy/requests/{soon.pk}/"),
        ("manager", f"/privacy/requests/{late.pk}/"),
    }
    assert Notification.objects.get(user=manager).text.startswith("Overdue by 1 day: ")
    assert Notification.objects.get(user=handler).text.startswith("ครบกำหนดใน 5 วัน")
    # The next day, once more.
    assert services.requests_remind(today + dt.timedelta(days=1)) == 2
    assert Notification.objects.count() == 4


def test_the_worker_runs_the_reminders():
    from samphan.core.background import registered

    loops = {loop.name: loop for loop in registered()}
    assert loops["privacy-reminders"].function is services.requests_remind
    assert loops["privacy-reminders"].every <= 3600


def test_pages_list_create_and_close(manager_client, manager):
    customer = CustomerFactory(first_name="มานี", display_name="มานี ใจดี")
    today = timezone.localdate()
    with translation.override("en"):
        late = log(received_on=today - dt.timedelta(days=35), requester_name="Late Person")
        log(received_on=today, requester_name="Fresh Person", kind="erasure")
    page = manager_client.get("/privacy/requests/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("Late Person") < body.index("Fresh Person")  # overdue first
    assert "overdue by 5 days" in body and "status-overdue" in body
    filtered = manager_client.get("/privacy/requests/?kind=erasure").content.decode()
    assert "Fresh Person" in filtered and "Late Person" not in filtered
    assert "Late Person" not in manager_client.get("/privacy/requests/?q=fresh").content.decode()
    # From the customer page: the form comes filled in.
    form = manager_client.get(f"/privacy/requests/new/?customer={customer.pk}")
    assert "มานี ใจดี" in form.content.decode()
    response = manager_client.post(
        "/privacy/requests/new/",
        {
            "kind": "objection",
            "requester_name": "มานี ใจดี",
            "requester_contact": "manee@example.com",
            "customer": customer.pk,
            "identity_method": "id_card",
            "received_on": today.strftime("%d/%m/%Y"),
            "handled_by": manager.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = SubjectRequest.objects.get(kind="objection")
    assert created.customer == customer and created.identity_method == "id_card"
    detail = manager_client.post(
        response["Location"],
        {"status": "done", "customer": customer.pk, "identity_method": "id_card",
         "handled_by": manager.pk},
    )  # fmt: skip
    assert detail.status_code == 302
    customer.refresh_from_db()
    assert customer.processing_restricted
    panel = manager_client.get(f"/privacy/customers/{customer.pk}/").content.decode()
    assert "Lift the restriction" in panel or "ยกเลิก" in panel
    manager_client.post(f"/privacy/customers/{customer.pk}/lift/")
    customer.refresh_from_db()
    assert not customer.processing_restricted
    manager_client.post(f"/privacy/customers/{customer.pk}/restrict/", {"reason": "ขอทางโทรศัพท์"})
    customer.refresh_from_db()
    assert customer.processing_restricted_reason == "ขอทางโทรศัพท์"
    # A refused close without a reason: the form says so, nothing changes.
    again = manager_client.post(
        f"/privacy/requests/{late.pk}/", {"status": "refused", "identity_method": "not_yet"}
    )
    assert again.status_code == 200 and "refus" in again.content.decode().lower()
    late.refresh_from_db()
    assert late.status == "open"


def test_only_managers_and_admins_see_requests(make_user):
    from django.test import Client

    request = log()
    for role, allowed in [(Role.SALES, False), (Role.SUPPORT, False), (Role.ADMIN, True)]:
        client = Client()
        client.force_login(make_user(role, username=role))
        expected = 200 if allowed else 403
        assert client.get("/privacy/requests/").status_code == expected
        assert client.get(f"/privacy/requests/{request.pk}/").status_code == expected
        assert client.get("/privacy/breaches/").status_code == expected


def test_a_new_request_is_received_today_and_a_breach_found_now_unless_changed(admin_client):
    html = admin_client.get("/privacy/requests/new/").content.decode()
    assert form_data(html, having="received_on")["received_on"][0] != ""
    html = admin_client.get("/privacy/breaches/new/").content.decode()
    assert form_data(html, having="found_at")["found_at"][0] != ""
    assert timezone.localdate().strftime("%m") in form_data(html, having="found_at")["found_at"][0]
