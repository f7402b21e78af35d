"""Team productivity: a hand-made January 2026 whose every figure is worked out below.

North team: Alice. South team: Bob. Times are Bangkok (UTC+7).

Alice: calls on 5, 6 (11:00) and 31 Jan (23:30, the last evening still counts), a meeting,
a note; calls on 31 Dec 23:30 and 1 Feb 00:00 fall outside. Deals: one created 2 Jan and
won 12 Jan (10 days, ฿50,000), one created 3 Jan and lost, one created 25 Jan and open, one
created 1 Dec and won 15 Jan (45 days, ฿30,000). Leads: one arriving 6 Jan 08:00 that she
called at 11:00 (3 hours; her call of 5 Jan came before it, her note at 08:30 and Bob's call
at 09:00 are no answer), one assigned 20 Jan still unanswered.
    calls 3, meetings 1, notes 1, created 3, won 2, lost 1, win rate 66.7 %,
    revenue ฿80,000.00, cycle (10 + 45) / 2 = 27.5 days, first response 3.0 h (1 of 2).

Bob: calls on 6 and 16 Jan, meetings on 8 and 9 Jan; a deal created 10 Jan 10:00 and won
14 Jan 22:00 (4.5 days, ฿12,000.50); a lead arriving 15 Jan 09:00 answered by e-mail at
09:30 (0.5 h), and one assigned in December (outside).
    calls 2, meetings 2, notes 0, created 1, won 1, lost 0, win rate 100 %,
    revenue ฿12,000.50, cycle 4.5 days, first response 0.5 h (1 of 1).

Total: calls 5, meetings 3, notes 1, created 4, won 3, lost 1, win rate 75 %,
revenue ฿92,000.50, cycle 59.5 / 3 = 19.8 days, first response 3.5 / 2 = 1.75 → 1.8 h.
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Interaction
from samphan.sales import productivity
from samphan.sales.models import Deal, Lead, Pipeline, Stage
from tests.api.calls import assert_names_field
from tests.conftest import token_client
from tests.factories import CustomerFactory, InteractionFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
BANGKOK = ZoneInfo("Asia/Bangkok")
JAN_1, JAN_31 = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
JANUARY = "since=2026-01-01&until=2026-01-31"
CALL, MEETING, NOTE, EMAIL = (
    Interaction.Kind.CALL,
    Interaction.Kind.MEETING,
    Interaction.Kind.NOTE,
    Interaction.Kind.EMAIL,
)


def bkk(month, day, hour=9, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def rep(name, team):
    return UserFactory(username=name, first_name=name.title(), role=Role.SALES, team=team)


def touch(user, when, kind=CALL, customer=None):
    customer = customer or CustomerFactory()
    return InteractionFactory(customer=customer, user=user, kind=kind, occurred_at=when)


def deal(owner, created, amount, outcome=Stage.Outcome.OPEN, closed=None):
    stage = Stage.objects.filter(pipeline__is_default=True, outcome=outcome).first()
    made = Deal.objects.create(
        title="ดีล",
        customer=CustomerFactory(),
        pipeline=Pipeline.objects.get(is_default=True),
        stage=stage,
        amount=Decimal(amount),
        owner=owner,
        team=owner.team,
        stage_entered_at=closed or created,
        closed_at=closed,
    )
    Deal.objects.filter(pk=made.pk).update(created_at=created)  # auto_now_add otherwise
    return made


def lead(owner, created, assigned=None):
    made = Lead.objects.create(
        customer=CustomerFactory(), owner=owner, team=owner.team, assigned_at=assigned or created
    )
    Lead.objects.filter(pk=made.pk).update(created_at=created)
    made.created_at = created
    return made


@pytest.fixture
def history():
    north, south = TeamFactory(name="ทีมเหนือ"), TeamFactory(name="ทีมใต้")
    alice, bob = rep("alice", north), rep("bob", south)
    touch(alice, bkk(1, 10, 14), MEETING)
    touch(alice, bkk(1, 31, 23, 30))  # 16:30 UTC on the 31st: still January in Bangkok
    touch(alice, bkk(12, 31, 23, 30, year=2025))  # outside
    touch(alice, bkk(2, 1, 0))  # 17:00 UTC on 31 January, but February in Bangkok: outside
    deal(alice, bkk(1, 2), "50000", Stage.Outcome.WON, closed=bkk(1, 12))
    deal(alice, bkk(1, 3), "20000", Stage.Outcome.LOST, closed=bkk(1, 20))
    deal(alice, bkk(1, 25), "5000")
    deal(alice, bkk(12, 1, year=2025), "30000", Stage.Outcome.WON, closed=bkk(1, 15))
    answered = lead(alice, bkk(1, 6, 8))
    touch(alice, bkk(1, 5, 15), customer=answered.customer)  # before the lead: no answer
    touch(alice, bkk(1, 6, 8, 30), NOTE, customer=answered.customer)  # a note: no answer
    touch(bob, bkk(1, 6, 9), customer=answered.customer)  # not the owner: no answer
    touch(alice, bkk(1, 6, 11), customer=answered.customer)  # 3 hours
    lead(alice, bkk(1, 20))
    touch(bob, bkk(1, 8), MEETING)
    touch(bob, bkk(1, 9), MEETING)
    deal(bob, bkk(1, 10, 10), "12000.50", Stage.Outcome.WON, closed=bkk(1, 14, 22))
    mailed = lead(bob, bkk(1, 15, 9))
    touch(bob, bkk(1, 15, 9, 30), EMAIL, customer=mailed.customer)  # half an hour
    touch(bob, bkk(1, 16, 10), customer=mailed.customer)
    december = lead(bob, bkk(12, 28, year=2025))
    touch(bob, bkk(1, 2), EMAIL, customer=december.customer)
    return {"alice": alice, "bob": bob, "north": north, "south": south}


def figures(row):
    return (
        row.calls,
        row.meetings,
        row.notes,
        row.deals_created,
        row.deals_won,
        row.deals_lost,
        row.win_rate,
        row.revenue_won,
        row.avg_cycle_days,
        row.avg_first_response_hours,
        (row.leads_answered, row.leads_assigned),
    )


ALICE = (3, 1, 1, 3, 2, 1, 66.7, Decimal("80000.00"), 27.5, 3.0, (1, 2))
BOB = (2, 2, 0, 1, 1, 0, 100.0, Decimal("12000.50"), 4.5, 0.5, (1, 1))
TOTAL = (5, 3, 1, 4, 3, 1, 75.0, Decimal("92000.50"), 19.8, 1.8, (2, 3))


def test_every_figure_per_rep_team_and_in_total(history, admin_user):
    report = productivity.team_productivity(admin_user, JAN_1, JAN_31)
    rows = {row.name: figures(row) for row in report.reps}
    assert rows == {"Alice": ALICE, "Bob": BOB}
    teams = {team.name: figures(team.subtotal) for team in report.teams}
    assert teams == {"ทีมเหนือ": ALICE, "ทีมใต้": BOB}
    assert figures(report.total) == TOTAL


def test_the_period_is_bangkok_days(history, admin_user):
    # 1 February alone: only the call at 00:00 Bangkok (still 31 January in UTC).
    report = productivity.team_productivity(admin_user, dt.date(2026, 2, 1), dt.date(2026, 2, 1))
    assert [(row.name, row.calls) for row in report.reps if row.calls] == [("Alice", 1)]
    # 31 January alone: the 23:30 call counts, the 1 February one does not.
    report = productivity.team_productivity(admin_user, JAN_31, JAN_31)
    assert {row.name: row.calls for row in report.reps} == {"Alice": 1, "Bob": 0}


def test_a_sales_user_sees_only_their_team(history):
    dan = rep("dan", history["south"])
    report = productivity.team_productivity(dan, JAN_1, JAN_31)
    assert [row.name for row in report.reps] == ["Bob", "Dan"]
    assert figures(report.total) == BOB
    # Asking for another team gives nothing rather than the other team's figures.
    assert productivity.team_productivity(dan, JAN_1, JAN_31, team=history["north"].pk).reps == []
    page = login(dan).get(f"/sales/productivity/?period=custom&{JANUARY}").content.decode()
    assert "Bob" in page and "Alice" not in page and "ทีมเหนือ" not in page


def test_team_filter_and_sorting(history, admin_user):
    north = productivity.team_productivity(admin_user, JAN_1, JAN_31, team=history["north"].pk)
    assert [row.name for row in north.reps] == ["Alice"]
    by_meetings = productivity.team_productivity(admin_user, JAN_1, JAN_31, sort="-meetings")
    assert [team.name for team in by_meetings.teams] == ["ทีมใต้", "ทีมเหนือ"]
    by_response = productivity.team_productivity(admin_user, JAN_1, JAN_31, sort="response")
    assert [row.name for row in by_response.reps] == ["Bob", "Alice"]


def login(user):
    client = Client()
    client.force_login(user)
    return client


def page_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/sales/productivity/?period=custom&{JANUARY}&{query}"


def test_page_shows_reps_subtotals_total_and_sorts_by_a_column(history, admin_client):
    html = admin_client.get(page_url(sort="-calls")).content.decode()
    assert html.index("Alice") < html.index("Bob")
    assert "฿92,000.50" in html and "฿80,000.00" in html and "19.8" in html
    assert html.count('class="subtotal"') == 2
    assert 'aria-sort="descending"' in html and "sort=calls" in html  # clicking again: A→Z
    assert '<rect width="100"' in html and '<rect width="15"' in html  # 12,000.50 / 80,000
    html = admin_client.get(page_url(sort="calls")).content.decode()
    assert html.index("Bob") < html.index("Alice")


def test_page_runs_a_fixed_number_of_queries(history, admin_client):
    def count():
        with assert_queries() as captured:
            assert admin_client.get(page_url()).status_code == 200
        return len(captured)

    few = count()
    for index in range(6):
        team = TeamFactory(name=f"ทีม {index}")
        member = rep(f"rep{index}", team)
        touch(member, bkk(1, 3 + index), MEETING)
        deal(member, bkk(1, 4), "100", Stage.Outcome.WON, closed=bkk(1, 9))
        answered = lead(member, bkk(1, 5))
        touch(member, bkk(1, 5, 12), customer=answered.customer)
    assert count() == few


def test_the_report_itself_is_five_queries(history, admin_user):
    sees_all_records(admin_user)  # the user's roles, looked up once per request
    with assert_queries(5):
        productivity.team_productivity(admin_user, JAN_1, JAN_31)


def test_csv_export_is_the_table_with_a_bom_for_excel(history, admin_client):
    response = admin_client.get(page_url(sort="rep", format="csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "productivity-20260101-20260131.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 5  # header, then Alice, North, Bob, South (teams A→Z), total
    assert rows[1] == [
        "Alice", "ทีมเหนือ", "3", "1", "1", "3", "2", "1", "66.7", "80000.00", "27.5", "3.0",
    ]  # fmt: skip
    assert rows[3][:2] == ["Bob", "ทีมใต้"] and rows[2][1] == "ทีมเหนือ"
    assert rows[-1][2:] == ["5", "3", "1", "4", "3", "1", "75.0", "92000.50", "19.8", "1.8"]


def test_empty_period_and_bad_custom_dates(history, admin_client):
    empty = admin_client.get("/sales/productivity/?period=custom&since=2024-01-01&until=2024-01-31")
    assert 'class="empty card"' in empty.content.decode()
    bad = admin_client.get("/sales/productivity/?period=custom&since=2026-01-31&until=2026-01-01")
    html = bad.content.decode()
    assert bad.status_code == 200 and 'id="until-errors"' in html and "<table" not in html
    assert admin_client.get("/sales/productivity/?period=last_90").status_code == 200


def test_htmx_gets_the_report_fragment(history, admin_client):
    response = admin_client.get(page_url(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report">') and "<html" not in html


def test_api_answers_the_same_figures(history, admin_user):
    body = token_client(admin_user).get(f"/api/v1/reports/productivity?{JANUARY}").json()
    assert (body["since"], body["until"]) == ("2026-01-01", "2026-01-31")
    total = body["total"]
    assert (total["calls"], total["deals_won"], total["revenue_won"]) == (5, 3, "92000.50")
    assert (total["win_rate"], total["avg_cycle_days"], total["avg_first_response_hours"]) == (
        75.0,
        19.8,
        1.8,
    )
    north = next(team for team in body["teams"] if team["name"] == "ทีมเหนือ")
    assert [r["name"] for r in north["reps"]] == ["Alice"] and north["avg_cycle_days"] == 27.5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-13-01&until=2026-01-31", "since"),
        ("since=1700000000&until=2026-01-31", "since"),
        ("since=2026-01-01&until=31/01/2026", "until"),
        ("since=2026-01-01", "until"),
        ("since=2026-02-01&until=2026-01-31", "until"),
        (f"{JANUARY}&team=999999", "team"),
        (f"{JANUARY}&team=0", "team"),
    ],
)
def test_api_bad_input_names_the_field(admin_user, query, field):
    response = token_client(admin_user).get(f"/api/v1/reports/productivity?{query}")
    assert_names_field(response, field)


def test_dates_far_out_are_refused_not_a_crash(admin_user, admin_client):
    url = "/api/v1/reports/productivity?since=2026-01-01&until=9999-12-31"
    assert_names_field(token_client(admin_user).get(url), "until")
    page = admin_client.get("/sales/productivity/?period=custom&since=0001-01-01&until=2026-01-01")
    assert page.status_code == 200 and 'id="since-errors"' in page.content.decode()
