"""Staff pages: writing to a customer, the outbox list, the timeline entry."""

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.messaging.models import Message
from samphan.messaging.outbox import Outbox, RateLimits
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user(Role.SUPPORT, username="support"))
    return client


def form(**data):
    return {"channel": "preferred", "purpose": "service", "subject": "", "text": "สินค้ามาถึงแล้วค่ะ",
            "key": "f1", **data}  # fmt: skip


def test_write_to_a_customer_and_see_it_sent_on_the_timeline(staff, reachable, smtp):
    page = staff.get(f"/messages/new/{reachable.pk}/")
    assert page.status_code == 200 and "LINE" in page.content.decode()
    response = staff.post(f"/messages/new/{reachable.pk}/", form(channel="email", subject="แจ้ง"))
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.channel == "email" and message.created_by.username == "support"
    staff.post(f"/messages/new/{reachable.pk}/", form(channel="email", subject="แจ้ง"))
    assert Message.objects.count() == 1  # the form's key: a double submit queues once
    Outbox(RateLimits({})).run()
    timeline = staff.get(f"/customers/{reachable.pk}/").content.decode()
    assert "แจ้ง" in timeline
    outbox = staff.get("/messages/", {"status": "sent"}).content.decode()
    assert "ann@example.com" in outbox


def test_no_allowed_channel_is_said_beside_the_field(staff, reachable):
    for channel in ("email", "sms", "line"):
        grant(reachable, channel, purpose="service", status="withdrawn")
    response = staff.post(f"/messages/new/{reachable.pk}/", form())
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode() or "ถอน" in response.content.decode()
    assert not Message.objects.exists()


def test_an_email_needs_a_subject(staff, reachable):
    response = staff.post(f"/messages/new/{reachable.pk}/", form(channel="email"))
    assert response.status_code == 400 and not Message.objects.exists()


def test_a_viewer_may_not_write(make_user, reachable):
    client = Client()
    client.force_login(make_user(Role.VIEWER, username="viewer"))
    assert client.get(f"/messages/new/{reachable.pk}/").status_code == 403
    assert client.get("/messages/").status_code == 200


def test_sms_length_counter(staff):
    response = staff.get("/messages/sms-length/", {"text": "ก" * 71})
    assert "71" in response.content.decode() and "2" in response.content.decode()


def test_empty_outbox(staff):
    assert staff.get("/messages/").status_code == 200
