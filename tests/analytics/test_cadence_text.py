"""The cadence screens read right in Thai: weekday names carry their own "วัน" (never
"วันวันอาทิตย์" or "มักมาวัน วันพุธ"), the expected-today reason names the weekday and
rounds its share (6 of 7 days is 86%, not 85%), and the overdue reason says how long they
have been away and what they used to do, never "usually this weekday" with an empty
percentage."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from samphan.analytics.cadence_text import weekday_list
from tests.analytics.test_rollups import BANGKOK, at, visit
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
SUNDAY = dt.date(2026, 12, 13)


@pytest.fixture
def on_sunday(monkeypatch):
    now = dt.datetime.combine(SUNDAY, dt.time(9), tzinfo=BANGKOK)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def regulars():
    """One who comes on Sundays (6 of 7 days, last on 6 December: due today), and one who
    came on Wednesdays until October (overdue)."""
    sunday_one, wednesday_one = CustomerFactory(), CustomerFactory()
    for day in (1, 8, 15, 22, 29):
        visit(sunday_one, at(dt.date(2026, 11, day)))
    visit(sunday_one, at(dt.date(2026, 12, 6)))
    visit(sunday_one, at(dt.date(2026, 11, 25)))  # a Wednesday
    for day in (dt.date(2026, 9, 16) + dt.timedelta(weeks=n) for n in range(5)):
        visit(wednesday_one, at(day))
    return sunday_one, wednesday_one


def client_in(user, language):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_thai(on_sunday, regulars, admin_user):
    sunday_one, wednesday_one = regulars
    client = client_in(admin_user, "th")
    expected = client.get("/insights/regulars/").content.decode()
    assert "คาดว่าจะมาวันนี้ วันอาทิตย์" in expected and "วันวัน" not in expected
    # Days 1 Nov – 6 Dec, 6 intervals: every 5.8 days, shown as 6.
    assert "มักมาวันอาทิตย์ (86% จาก 7 วันที่มา) · ทุก 6 วันโดยเฉลี่ย" in expected
    assert ">86%<" in expected and "85%" not in expected
    overdue = client.get("/insights/regulars/", {"list": "overdue"}).content.decode()
    # Last came 14 October: 60 days away, every 7 days.
    assert "ไม่ได้มา 60 วัน ปกติมาทุก 7 วัน · เดิมมักมาวันพุธ" in overdue
    assert "มักมาวันนี้" not in overdue and "(%" not in overdue
    panel = client.get(f"/insights/customers/{sunday_one.pk}/cadence/").content.decode()
    assert "มักมาวันอาทิตย์" in panel and "มักมาวัน วัน" not in panel
    desk = client.get("/frontdesk/expected/").content.decode()
    assert "มักมาวันอาทิตย์ (86% จาก 7 วันที่มา)" in desk and "วันวัน" not in desk
    assert wednesday_one.display_name in overdue


def test_english(on_sunday, regulars, admin_user):
    client = client_in(admin_user, "en")
    expected = client.get("/insights/regulars/").content.decode()
    assert "Expected today, Sunday" in expected
    assert "usually comes on Sunday (86% of 7 days) · every 6 days on average" in expected
    overdue = client.get("/insights/regulars/", {"list": "overdue"}).content.decode()
    assert "60 days away; usually every 7 days · used to come on Wednesday" in overdue
    panel = client.get(f"/insights/customers/{regulars[0].pk}/cadence/").content.decode()
    assert "Usually comes on Sunday" in panel


def test_two_usual_days():
    with translation.override("th"):
        assert weekday_list((2, 5)) == "วันพุธและวันเสาร์"
    with translation.override("en"):
        assert weekday_list((2, 5)) == "Wednesday and Saturday"
        assert weekday_list((6,)) == "Sunday"
