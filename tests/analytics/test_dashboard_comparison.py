"""The home dashboard compares like with like: month-to-date with the same days of the
month before (not the whole month), and says on each card what it is compared with."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from samphan.analytics.dashboard import comparison_period, figures
from samphan.analytics.views import span_label
from samphan.core.periods import Period, preset_period
from tests.analytics.test_rollups import BANGKOK, at, buy
from tests.analytics.test_views import login
from tests.factories import CustomerFactory, ProductFactory

D = Decimal
TODAY = dt.date(2026, 12, 6)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("preset", "today", "since", "until"),
    [
        ("this_month", TODAY, "2026-11-01", "2026-11-06"),
        ("this_month", day("2026-03-31"), "2026-02-01", "2026-02-28"),  # the shorter month
        ("this_month", day("2026-03-30"), "2026-02-01", "2026-02-28"),
        ("this_month", day("2026-01-15"), "2025-12-01", "2025-12-15"),
        ("last_month", TODAY, "2026-10-01", "2026-10-31"),  # over: the whole month before
        ("this_quarter", TODAY, "2026-07-01", "2026-09-06"),
        ("this_year", TODAY, "2025-01-01", "2025-12-06"),
        ("this_year", day("2028-02-29"), "2027-01-01", "2027-02-28"),
        ("last_30", TODAY, "2026-10-08", "2026-11-06"),  # as many days just before
        ("last_12_months", TODAY, "2024-12-07", "2025-12-06"),
    ],
)
def test_the_comparison_of_each_preset(preset, today, since, until):
    compared = comparison_period(preset_period(preset, today), today)
    assert compared == Period(day(since), day(until))


def test_custom_dates_and_all_time():
    # Not whole months: as many of its days as have passed, just before it.
    custom = Period(day("2026-12-01"), day("2026-12-20"))
    assert comparison_period(custom, TODAY) == Period(day("2026-11-25"), day("2026-11-30"))
    past = Period(day("2026-11-10"), day("2026-11-19"))
    assert comparison_period(past, TODAY) == Period(day("2026-10-31"), day("2026-11-09"))
    assert comparison_period(preset_period("all_time", TODAY), TODAY) is None


@pytest.mark.parametrize(
    ("since", "until", "thai", "english"),
    [
        ("2026-11-01", "2026-11-06", "1–6 พ.ย.", "1–6 Nov"),
        ("2026-07-01", "2026-09-06", "1 ก.ค. – 6 ก.ย.", "1 Jul – 6 Sep"),
        ("2025-01-01", "2025-12-06", "1 ม.ค. – 6 ธ.ค. 2568", "1 Jan – 6 Dec 2025"),
        ("2025-12-25", "2026-01-03", "25 ธ.ค. 2568 – 3 ม.ค. 2569", "25 Dec 2025 – 3 Jan 2026"),
        ("2026-11-30", "2026-11-30", "30 พ.ย.", "30 Nov"),
    ],
)
def test_the_span_as_the_card_says_it(since, until, thai, english):
    with translation.override("th"):
        assert span_label(day(since), day(until), TODAY) == thai
    from samphan.core.dates import buddhist_era_preference

    token = buddhist_era_preference.set(False)
    try:
        with translation.override("en"):
            assert span_label(day(since), day(until), TODAY) == english
    finally:
        buddhist_era_preference.reset(token)


@pytest.fixture
def december_6th(monkeypatch):
    """Time stands at 10:00 in Bangkok on 6 December 2026."""
    now = dt.datetime(2026, 12, 6, 10, 0, tzinfo=BANGKOK)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


SALES = [  # (day, hour, units of a 100-baht product)
    ("2026-10-31", 23, 8),  # the month before last
    ("2026-11-01", 0, 1),  # just after midnight
    ("2026-11-03", 12, 2),
    ("2026-11-06", 23, 4),  # the last hour of the last compared day
    ("2026-11-07", 0, 16),  # a day too late
    ("2026-11-30", 12, 32),
    ("2026-12-02", 12, 3),
    ("2026-12-06", 9, 5),
]


@pytest.mark.django_db
def test_month_to_date_against_the_same_days_of_last_month(december_6th, admin_user, make_user):
    product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
    rep = make_user(role="sales")
    customer = CustomerFactory(owner=rep)
    for when, hour, units in SALES:
        buy(customer, product, at(day(when), hour), quantity=units)
    # The independent sums: revenue is 100 baht a unit.
    current = sum(100 * u for when, _, u in SALES if "2026-12-01" <= when <= "2026-12-06")
    before = sum(100 * u for when, _, u in SALES if "2026-11-01" <= when <= "2026-11-06")
    assert (current, before) == (800, 700)
    this_month = preset_period("this_month", TODAY)
    for user in (admin_user, rep):  # from the per-day roll-up, and from the rep's orders
        data = figures(user, this_month, TODAY)
        revenue = data["kpis"]["revenue"]
        assert revenue["value"] == f"{current}.00" and revenue["previous"] == f"{before}.00"
        assert revenue["change"] == round((current - before) / before, 4)  # +14.3%, not −64%
        assert data["kpis"]["orders"]["previous"] == 3
        assert data["compared_with"] == {"since": "2026-11-01", "until": "2026-11-06"}
    client = login(admin_user)
    page = client.get("/", {"period": "this_month"}).content.decode()
    assert "vs 1–6 Nov" in page and "changes against 1–6 Nov" in page
    assert "▲ 14.3%" in page
    admin_user.language = "th"
    admin_user.save(update_fields=["language"])
    page = client.get("/", {"period": "this_month"}).content.decode()
    assert "เทียบกับ 1–6 พ.ย." in page
