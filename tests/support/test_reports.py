"""Support's reports against figures worked out by hand and a count in plain SQL: tickets
by channel with the median first response and resolution and the share within promise,
the backlog day by day, satisfaction by week; the page, CSV and XLSX; bad dates refused
next to the field."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from samphan.accounts.models import Role
from samphan.core.periods import Period
from samphan.support import reports
from samphan.support.hours import BANGKOK
from samphan.support.models import Survey, Ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
PERIOD = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=BANGKOK)


def ticket(channel: str, opened: dt.datetime, responded_hours=None, solved_hours=None, due_hours=4):
    return Ticket.objects.create(
        subject="x", channel=channel, requester="a", created_at=opened,
        status="solved" if solved_hours is not None else "open",
        first_response_due=opened + dt.timedelta(hours=due_hours),
        first_responded_at=opened + dt.timedelta(hours=responded_hours) if responded_hours is not None else None,
        resolution_due=opened + dt.timedelta(hours=24),
        solved_at=opened + dt.timedelta(hours=solved_hours) if solved_hours is not None else None,
    )  # fmt: skip


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="boss", language="en")


@pytest.fixture
def november():
    # E-mail: answered in 1, 3 and 6 hours (median 3; 6 > 4 missed: 2 of 3 within), solved
    # in 10 and 30 hours (median 20; 30 > 24 missed: 1 of 2 within), one still open.
    ticket("email", at(3, 9), 1, 10)
    ticket("email", at(4, 9), 3, 30)
    ticket("email", at(5, 9), 6)
    # Phone: answered in 2 hours, solved in 2.
    ticket("phone", at(5, 10), 2, 2)
    ticket("phone", at(20, 10))  # waiting, never answered
    ticket("line", dt.datetime(2026, 10, 31, 10, tzinfo=BANGKOK), 1)  # October: not counted


def test_by_channel_against_hand_figures_and_sql(admin, november):
    report = reports.grouped_report(admin, PERIOD, "channel")
    rows = {row["label"]: row for row in report.rows}
    assert rows["e-mail"] == {
        "label": "e-mail", "opened": 3, "solved": 2, "first_response_hours": 3.0,
        "first_response_met": 2 / 3, "resolution_hours": 20.0, "resolution_met": 0.5,
    }  # fmt: skip
    assert (rows["phone call"]["opened"], rows["phone call"]["first_response_hours"]) == (2, 2.0)
    assert "LINE" not in rows
    # The same counts in plain SQL over the table.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT channel, COUNT(*) FROM support_ticket WHERE created_at >= %s AND created_at < %s"
            " GROUP BY channel ORDER BY channel",
            [PERIOD.start, PERIOD.end],
        )
        by_sql = dict(cursor.fetchall())
    assert by_sql == {
        row_key: rows[label]["opened"]
        for row_key, label in (("email", "e-mail"), ("phone", "phone call"))
    }
    # Answered: 1, 3, 6, 2 hours: median 2.5; 3 of 4 within promise. Solved: 10, 30, 2: 10.
    assert (
        report.total["first_response_hours"] == 2.5 and report.total["first_response_met"] == 0.75
    )
    assert report.total["resolution_hours"] == 10.0 and report.total["opened"] == 5


def test_the_backlog_adds_up_day_by_day(admin, november):
    series = dict(reports.backlog(admin, Period(dt.date(2026, 11, 3), dt.date(2026, 11, 6))))
    # Open before 3 Nov: the October LINE ticket (1). 3 Nov: the first e-mail opened at
    # 09:00 and solved at 19:00 (1). 4 Nov: the second e-mail (2). 5 Nov: the third e-mail
    # and a phone call opened, the phone call solved at 12:00 and the second e-mail at
    # 15:00 (2). 6 Nov: nothing (2).
    assert [series[dt.date(2026, 11, day)] for day in (3, 4, 5, 6)] == [1, 2, 2, 2]


def test_satisfaction_by_week(admin):
    customer = CustomerFactory()
    for day, score in ((2, 5), (3, 4), (4, 1), (10, 3)):
        Survey.objects.create(customer=customer, score=score, answered_at=at(day, 12))
    weeks = reports.satisfaction_by_week(admin, PERIOD)
    # Monday 2 Nov: 5, 4, 1: average 3.33, 2 of 3 satisfied. Monday 9 Nov: 3: none.
    assert weeks == [
        {"week": dt.date(2026, 11, 2), "answers": 3, "average": 3.33, "satisfied": 2 / 3},
        {"week": dt.date(2026, 11, 9), "answers": 1, "average": 3.0, "satisfied": 0.0},
    ]
    client = Client()
    client.force_login(admin)
    query = "period=custom&since=2026-11-01&until=2026-11-30&table=satisfaction&format=csv"
    csv = client.get(f"/insights/support/?{query}").content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Week of,Answers,Average (of 5),Satisfied")
    assert csv[1].startswith("2 Nov 2569,3,3.33,") and csv[2].startswith("9 Nov 2569,1,3")


def test_the_page_and_its_downloads(admin, november):
    client = Client()
    client.force_login(admin)
    query = "period=custom&since=2026-11-01&until=2026-11-30&group=channel"
    page = client.get(f"/insights/support/?{query}")
    assert page.status_code == 200
    assert (
        "Tickets by channel" in page.content.decode() and "backlog-options" in page.content.decode()
    )
    csv = client.get(f"/insights/support/?{query}&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("e-mail,3,2,3")
    xlsx = client.get(f"/insights/support/?{query}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:3] == ["e-mail", 3, 2]


def test_bad_dates_are_said_next_to_the_field(admin):
    client = Client()
    client.force_login(admin)
    page = client.get("/insights/support/?period=custom&since=2026-11-30&until=2026-11-01")
    assert page.status_code == 200 and "field-error" in page.content.decode()
