"""The breach register's pages: the 72-hour deadline shown with time left or overdue."""

import datetime as dt

import pytest
from django.utils import timezone

from samphan.privacy import services
from samphan.privacy.models import Breach

pytestmark = pytest.mark.django_db


def record(hours_ago: float, **fields) -> Breach:
    data = {"what_happened": "ส่งอีเมลรายชื่อลูกค้าผิดคน", "data_kinds": "ชื่อ อีเมล",
            "found_at": timezone.now() - dt.timedelta(hours=hours_ago)}  # fmt: skip
    return services.breach_create(actor=None, data={**data, **fields})


def test_the_register_shows_time_left_and_overdue(admin_client):
    record(10)
    record(100, what_happened="ฐานข้อมูลสำรองรั่ว")
    record(200, what_happened="แจ้งแล้ว", regulator_notified_at=timezone.now())
    body = admin_client.get("/privacy/breaches/").content.decode()
    assert "status-overdue" in body
    assert body.count("status-overdue") == 1  # the one told is not overdue


def test_create_and_update_through_the_pages(admin_client):
    found = timezone.localtime() - dt.timedelta(hours=3)
    response = admin_client.post("/privacy/breaches/new/", {
        "what_happened": "แท็บเล็ตหน้าร้านหาย", "found_at": found.strftime("%d/%m/%Y %H:%M"),
        "data_kinds": "ชื่อ เบอร์โทร", "risk": "medium", "affected_count": "120",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    breach = Breach.objects.get()
    assert breach.affected_count == 120
    assert 68 <= breach.hours_to_report <= 69
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    bad = admin_client.post(response["Location"], {
        "what_happened": "แท็บเล็ตหน้าร้านหาย", "found_at": found.strftime("%d/%m/%Y %H:%M"),
        "data_kinds": "", "risk": "medium",
    })  # fmt: skip
    assert bad.status_code == 200
    breach.refresh_from_db()
    assert breach.data_kinds == "ชื่อ เบอร์โทร"
