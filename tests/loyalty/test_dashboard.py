"""The loyalty dashboard (issue 24): the liability, the points by Bangkok month and members
beside similar non-members, each checked against figures worked out by hand; the page,
its downloads, who may see it and the page with nothing to show.

Today is 15 June 2026 (Bangkok) throughout: the months shown are July 2025 to June 2026,
the comparison's window 16 June 2025 to 15 June 2026 and the spend before it 16 June 2024
to 15 June 2025."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from samphan.loyalty.models import Programme
from samphan.loyalty.services import Posting, post
from samphan.loyalty.services.dashboard import (
    Sample,
    Spend,
    combine,
    compare,
    customers_spend,
    liability,
    points_by_month,
    windows,
)
from samphan.sales.models import Order
from tests.analytics.test_views import login
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.timezone(dt.timedelta(hours=7)))
UTC = dt.UTC
D = Decimal


def at(year, month, day, hour=5):
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def ledger(db):
    """Five members' rows. Balances: A 120, B 30, C −10, D 15, E 7; a point is worth ฿0.40.

    A earns 100 (10 Jan, expiring 15 Jul) and 20 (31 Jan 18:00 UTC = 1 Feb 01:00 in
    Bangkok, expiring 31 Dec); B earns 50 (5 Mar, expiring 14 Aug) and redeems 20 (2 Apr);
    C earns 40 (20 May, expiring 25 Jun), redeems 30 (21 May) and a refund takes back 20
    (22 May, with the order's date): below zero. D earned 5 on 30 June 2025 at 23:30 in
    Bangkok (before the months shown), which expired on 10 June 2026, and was given 15 by
    hand (1 June). E earned 7 on 1 July 2025 at 00:30 in Bangkok (30 June 17:30 UTC)."""
    Programme.objects.create(point_value=D("0.40"))
    a, b, c, d, e = (CustomerFactory().pk for _ in range(5))
    post([
        Posting(a, "earn", "order", 100, expires_on=dt.date(2026, 7, 15), at=at(2026, 1, 10)),
        Posting(a, "earn", "order", 20, expires_on=dt.date(2026, 12, 31),
                at=at(2026, 1, 31, 18)),
        Posting(b, "earn", "order", 50, expires_on=dt.date(2026, 8, 14), at=at(2026, 3, 5)),
        Posting(b, "redeem", "reward", -20, at=at(2026, 4, 2)),
        Posting(c, "earn", "order", 40, expires_on=dt.date(2026, 6, 25), at=at(2026, 5, 20)),
        Posting(c, "redeem", "staff", -30, at=at(2026, 5, 21)),
        Posting(c, "reverse", "refund", -20, expires_on=dt.date(2026, 6, 25),
                at=at(2026, 5, 22)),
        Posting(d, "earn", "order", 5, expires_on=dt.date(2026, 6, 9),
                at=dt.datetime(2025, 6, 30, 16, 30, tzinfo=UTC)),
        Posting(d, "expire", "expiry", -5, at=at(2026, 6, 10)),
        Posting(d, "adjust", "staff", 15, at=at(2026, 6, 1)),
        Posting(e, "earn", "order", 7, at=dt.datetime(2025, 6, 30, 17, 30, tzinfo=UTC)),
    ])  # fmt: skip


def test_the_liability_is_the_positive_balances_at_the_point_value(ledger):
    found = liability(TODAY)
    # 120 + 30 + 15 + 7 (C's −10 owes nothing), held by 4 members; 172 × ฿0.40.
    assert (found.points, found.members, found.baht) == (172, 4, D("68.80"))
    # Expiring before 13 September (90 days), first in first out: A's 100 (the 20 expire
    # in December); B's 50 less the 20 redeemed; C's 40 less 20 taken back less 30 spent
    # is below zero: nothing. D's and E's points expire not then. 130 × ฿0.40 = ฿52.
    assert found.expiring_before == dt.date(2026, 9, 13)
    assert (found.expiring_points, found.expiring_baht) == (130, D("52.00"))


def test_points_by_bangkok_month(ledger):
    months = {month.month: month for month in points_by_month(TODAY)}
    days = list(months)
    assert (days[0], days[-1], len(days)) == (dt.date(2025, 7, 1), dt.date(2026, 6, 1), 12)
    shown = {
        day: (m.earned, m.redeemed, m.expired, m.adjusted, m.taken_back, m.net)
        for day, m in months.items()
        if m.net or m.earned
    }
    assert shown == {
        dt.date(2025, 7, 1): (7, 0, 0, 0, 0, 7),  # E, just after midnight in Bangkok
        dt.date(2026, 1, 1): (100, 0, 0, 0, 0, 100),
        dt.date(2026, 2, 1): (20, 0, 0, 0, 0, 20),  # 31 January in UTC
        dt.date(2026, 3, 1): (50, 0, 0, 0, 0, 50),
        dt.date(2026, 4, 1): (0, -20, 0, 0, 0, -20),
        dt.date(2026, 5, 1): (40, -30, 0, 0, -20, -10),
        dt.date(2026, 6, 1): (0, 0, -5, 15, 0, 10),
    }  # D's 5 earned on 30 June 2025 in Bangkok are before the first month


def order(customer, revenue, when, status="paid"):
    Order.objects.create(
        number=f"T{Order.objects.count() + 1}", customer=customer, ordered_at=when,
        channel="store", status=status, revenue=D(revenue),
    )  # fmt: skip


@pytest.fixture
def shoppers(db):
    """Three members and three non-members, each of whom spent ฿1,000 in the year before
    the window (10 Jan 2025), so all are in one band. In the window:

    members M1 ฿1,000 (1 order; a cancelled ฿9,999 does not count), M2 ฿1,000 × 2,
    M3 ฿1,000 × 3; non-members N1 ฿500, N2 ฿500 × 2, N3 nothing.
    Not compared: a member whose first order is in the window, and a non-member whose only
    order before it was refunded."""
    before = at(2025, 1, 10)
    people = {}
    for name, number in [("M1", "M001"), ("M2", "M002"), ("M3", "M003"),
                         ("N1", None), ("N2", None), ("N3", None)]:  # fmt: skip
        people[name] = CustomerFactory(member_number=number)
        order(people[name], "1000", before)
    bought = [("M1", "1000"), ("M2", "1000"), ("M2", "1000"), ("M3", "1000"), ("M3", "1000"),
              ("M3", "1000"), ("N1", "500"), ("N2", "500"), ("N2", "500")]  # fmt: skip
    for day, (name, revenue) in enumerate(bought, start=1):
        order(people[name], revenue, at(2025, 9, day))
    order(people["M1"], "9999", at(2025, 9, 1), status="cancelled")
    newcomer = CustomerFactory(member_number="M009")
    order(newcomer, "5000", at(2025, 8, 1))
    refunded = CustomerFactory()
    order(refunded, "800", at(2025, 2, 1), status="refunded")
    order(refunded, "800", at(2025, 8, 1))
    return people


def test_members_beside_similar_non_members_by_hand(shoppers):
    rows = customers_spend(*windows(TODAY))
    assert sorted((r.member, r.before, r.revenue, r.orders) for r in rows) == [
        (False, 1000, 0, 0), (False, 1000, 500, 1), (False, 1000, 1000, 2),
        (True, 1000, 1000, 1), (True, 1000, 2000, 2), (True, 1000, 3000, 3),
    ]  # fmt: skip
    found = compare(rows, *windows(TODAY))
    assert (found.members, found.others, found.members_left_out, len(found.bands)) == (3, 3, 0, 1)
    # Revenue: members 1,000, 2,000, 3,000: mean 2,000, s² = (1,000² + 0 + 1,000²) / 2 =
    # 1,000,000; non-members 500, 1,000, 0: mean 500, s² = (0 + 500² + 500²) / 2 = 250,000.
    # Difference 1,500; SE = √(1,000,000/3 + 250,000/3) = √416,666.7 = 645.50;
    # 1,500 ± 1.96 × 645.497 = 234.83 … 2,765.17. Members' own: 2,000 ± 1.96 × √333,333.3
    # = 868.39 … 3,131.61; non-members': 500 ± 1.96 × √83,333.3 = −65.80 … 1,065.80.
    revenue = found.revenue
    assert (revenue.members, revenue.others, revenue.difference) == (D(2000), D(500), D(1500))
    assert (revenue.error, revenue.low, revenue.high) == (D("645.50"), D("234.83"), D("2765.17"))
    assert (revenue.members_low, revenue.members_high) == (D("868.39"), D("3131.61"))
    assert (revenue.others_low, revenue.others_high) == (D("-65.80"), D("1065.80"))
    # Orders: members 1, 2, 3 (mean 2, s² 1), non-members 1, 2, 0 (mean 1, s² 1):
    # difference 1, SE = √(1/3 + 1/3) = 0.8165, 1 ± 1.6003 = −0.60 … 2.60.
    orders = found.orders
    assert (orders.members, orders.others, orders.difference) == (D(2), D(1), D(1))
    assert (orders.error, orders.low, orders.high) == (D("0.82"), D("-0.60"), D("2.60"))


def spend(member, before, revenue):
    return Spend(member=member, before=before, revenue=revenue, orders=0)


def test_bands_are_weighed_by_their_members():
    """Two bands by the spend before (quartile cuts of the 11 values 0, 100 × 4,
    10,000 × 6 are 100, 10,000, 10,000), and a lone member who spent nothing before,
    left out.

    Band ฿100: members 100, 300 (mean 200, s² 20,000), non-members 0, 200 (mean 100,
    s² 20,000): d₁ = 100, SE₁² = 20,000/2 + 20,000/2 = 20,000.
    Band ฿10,000: members 1,000 … 4,000 (mean 2,500, s² 5,000,000/3), non-members 1,000,
    3,000 (mean 2,000, s² 2,000,000): d₂ = 500, SE₂² = 416,666.7 + 1,000,000 = 1,416,666.7.
    Weights by members 2/6 and 4/6: d = 100/3 + 1,000/3 = 366.67 (the plain means, 1,733.33
    and 1,050, would say 683.33: the members spent more before);
    SE² = 20,000/9 + 4 × 1,416,666.7/9 = 631,851.85, SE = 794.89;
    366.67 ± 1.96 × 794.89 = −1,191.32 … 1,924.65."""
    rows = [spend(True, 0, 999)]
    rows += [spend(True, 100, v) for v in (100, 300)] + [spend(False, 100, v) for v in (0, 200)]
    rows += [spend(True, 10_000, v) for v in (1000, 2000, 3000, 4000)]
    rows += [spend(False, 10_000, v) for v in (1000, 3000)]
    found = compare(rows, *windows(TODAY))
    assert [(b.low, b.members, b.others, b.compared) for b in found.bands] == [
        (D(0), 1, 0, False), (D(100), 2, 2, True), (D(10_000), 4, 2, True),
    ]  # fmt: skip
    assert (found.members, found.others, found.members_left_out) == (6, 4, 1)
    revenue = found.revenue
    assert (revenue.members, revenue.others) == (D("1733.33"), D("1366.67"))
    assert (revenue.difference, revenue.error) == (D("366.67"), D("794.89"))
    assert (revenue.low, revenue.high) == (D("-1191.32"), D("1924.65"))


def test_companies_are_compared_with_companies_only():
    """Two people of each kind who spent ฿100 before (members 100 and 300, non-members 0
    and 200) and two companies without a member number that spent ฿100 too and then
    50,000 and 70,000: in the people's band they would make the non-members' mean 30,050;
    in a band of their own, without members, they are left out: the difference is 100."""
    rows = [spend(True, 100, v) for v in (100, 300)] + [spend(False, 100, v) for v in (0, 200)]
    rows += [Spend(member=False, before=100, revenue=v, orders=1, company=True)
             for v in (50_000, 70_000)]  # fmt: skip
    found = compare(rows, *windows(TODAY))
    assert [(b.company, b.members, b.others) for b in found.bands] == [(False, 2, 2), (True, 0, 2)]
    assert (found.others, found.others_left_out) == (2, 2)
    assert (found.revenue.others, found.revenue.difference) == (D(100), D(100))


def test_one_band_combined_is_welch():
    members, others = Sample(4, 10.0, 0.25), Sample(9, 7.0, 1.0)
    found = combine([(members, others)])
    assert (found.difference, found.error) == (D(3), D("1.12"))  # √(0.25 + 1) = 1.118
    assert (found.low, found.high) == (D("0.81"), D("5.19"))  # 3 ± 2.191


def test_too_few_to_compare(db):
    rows = [spend(True, 0, 10), spend(True, 0, 20), spend(False, 0, 5)]
    found = compare(rows, *windows(TODAY))
    assert found.revenue is None and found.orders is None
    assert (found.members, found.members_left_out, found.others_left_out) == (0, 2, 1)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_page_shows_the_figures(today, ledger, shoppers, make_user):
    page = login(make_user(role="manager")).get("/points/dashboard/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "฿68.80" in text and "held by 4 members" in text and "฿52.00" in text
    assert 'data-chart="months-options"' in text and 'id="revenue-options"' in text
    assert "฿1,500.00" in text and "฿234.83" in text and "฿2,765.17" in text
    assert "-0.60" in text and "2.60" in text
    assert "3 members and 3 non-members compared" in text
    assert "not proof that the programme caused" in text


def test_who_may(make_user):
    for role in ("admin", "manager", "marketing"):
        assert login(make_user(role=role)).get("/points/dashboard/").status_code == 200
    for role in ("viewer", "frontdesk", "sales", "support"):
        client = login(make_user(role=role))
        for url in ("/points/dashboard/", "/points/dashboard.csv", "/points/dashboard.xlsx"):
            assert client.get(url).status_code == 403, (role, url)


def test_the_csv_holds_the_tables(today, ledger, shoppers, admin_user):
    response = login(admin_user).get("/points/dashboard.csv")
    assert response["Content-Disposition"] == 'attachment; filename="samphan-loyalty-20260615.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Points by month"]
    assert rows[1] == ["Month", "Earned", "Redeemed", "Expired", "Adjusted", "Taken back", "Net"]
    assert rows[2] == ["2025-07-01", "7", "0", "0", "0", "0", "7"]
    assert ["2026-05-01", "40", "-30", "0", "0", "-20", "-10"] in rows
    assert ["Points outstanding", "172"] in rows and ["Liability (฿)", "68.80"] in rows
    assert ["Points expiring", "130"] in rows and ["A point is worth (฿)", "0.4000"] in rows
    revenue = next(row for row in rows if row and row[0] == "Revenue per customer (฿)")
    assert revenue[1:] == ["2000.00", "500.00", "1500.00", "234.83", "2765.17", "645.50"]
    orders = next(row for row in rows if row and row[0] == "Orders per customer")
    assert orders[1:] == ["2.00", "1.00", "1.00", "-0.60", "2.60", "0.82"]
    assert ["Members compared", "3"] in rows and ["Non-members compared", "3"] in rows


def test_the_xlsx_holds_a_sheet_a_table(today, ledger, shoppers, admin_user):
    response = login(admin_user).get("/points/dashboard.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Points by month", "Liability", "Members and non-members",
                               "Spend bands"]  # fmt: skip
    months = list(book["Points by month"].values)
    assert months[0] == ("Month", "Earned", "Redeemed", "Expired", "Adjusted", "Taken back", "Net")
    assert len(months) == 13 and months[-1][1:] == (0, 0, -5, 15, 0, 10)
    assert months[-1][0].date() == dt.date(2026, 6, 1)
    held = dict(row for row in book["Liability"].values)
    assert (held["Points outstanding"], held["Liability (฿)"]) == (172, 68.8)
    compared = {row[0]: row[1:] for row in book["Members and non-members"].values if row}
    assert compared["Revenue per customer (฿)"] == (2000, 500, 1500, 234.83, 2765.17, 645.5)
    bands = list(book["Spend bands"].values)
    assert bands[1] == ("People", 1000, 1000, 3, 3, 2000, 500, 2, 1)


def test_the_page_with_nothing_yet(today, admin_user):
    text = login(admin_user).get("/points/dashboard/").content.decode()
    assert "No points yet" in text and "Too few customers to compare yet" in text
    assert 'data-chart="months-options"' not in text
    assert login(admin_user).get("/points/dashboard.csv").status_code == 200


def test_the_programme_pages_link_the_dashboard(admin_user):
    client = login(admin_user)
    for url in ("/points/settings/", "/points/rewards/"):
        assert 'href="/points/dashboard/"' in client.get(url).content.decode()
