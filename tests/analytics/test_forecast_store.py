"""The revenue forecast is made by the worker and only read by requests: stored per
visibility scope, made daily and when first asked for, with a polling note until then."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from samphan.analytics import forecast_store
from samphan.analytics.forecast import Forecast, MonthForecast, revenue_forecast
from samphan.analytics.models import StoredForecast
from samphan.sales import services
from samphan.sales.services import LineInput, OrderInput
from tests.analytics.test_forecast import fill_days
from tests.analytics.test_rollups import BANGKOK
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_the_worker_stores_the_forecast_and_the_panel_shows_it(admin_user):
    today = timezone.localdate()
    fill_days(300, today)
    assert forecast_store.keep_daily() == 1
    row = StoredForecast.objects.get(scope="all")
    assert row.made_on == today and row.queued_at is None and row.seconds > 0
    # What was stored is what the forecast is, field for field (dates, money, the backtest).
    assert forecast_store.from_data(row.data) == revenue_forecast(admin_user, today)
    assert forecast_store.keep_daily() == 0  # made once a day
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert 'id="forecast-options"' in page and "MAPE" in page and "Computed" in page
    assert "hx-trigger" not in page  # nothing left to wait for
    body = token_client(admin_user).get("/api/v1/analytics/forecast").json()
    assert body["made_on"] == today.isoformat() and len(body["months"]) == 3


def stored(scope: str, made_on: dt.date, expected: str) -> None:
    """A forecast of one month at ``expected`` baht, as the worker would have stored it."""
    month = (made_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    value = Decimal(expected)
    forecast = Forecast([MonthForecast(month, value, value - 1, value + 1)], None, 130,
                        model="naive", baseline=True, weekday_shares=(1 / 7,) * 7)  # fmt: skip
    StoredForecast.objects.create(
        scope=scope,
        data=forecast_store.to_data(forecast),
        made_on=made_on,
        computed_at=timezone.now() - dt.timedelta(days=(timezone.localdate() - made_on).days),
    )


def test_the_panel_and_the_api_read_the_stored_forecast(
    admin_user, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    stored("all", today, "123456.78")
    with django_capture_on_commit_callbacks() as queued:
        page = login(admin_user).get("/insights/forecast/").content.decode()
        body = token_client(admin_user).get("/api/v1/analytics/forecast").json()
    assert "123,456.78" in page
    assert body["months"][0]["expected"] == "123456.78" and body["model"] == "naive"
    assert queued == []  # today's is made: nothing to queue


def test_yesterdays_forecast_is_shown_while_todays_is_made(
    admin_user, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    fill_days(200, today)
    stored("all", today - dt.timedelta(days=1), "99.00")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        page = login(admin_user).get("/insights/forecast/").content.decode()
    assert "99.00" in page and len(queued) == 1
    assert StoredForecast.objects.get(scope="all").made_on == today  # the task made it
    page = login(admin_user).get("/insights/forecast/").content.decode()
    assert "99.00" not in page


def test_not_ready_the_panel_polls_and_the_api_answers_202(
    admin_user, django_capture_on_commit_callbacks
):
    fill_days(200, timezone.localdate())
    client = Client()  # Thai, the default language
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks() as queued:
        page = client.get("/insights/forecast/").content.decode()
        response = token_client(admin_user).get("/api/v1/analytics/forecast")
    assert "กำลังคำนวณการพยากรณ์…" in page
    assert 'hx-get="/insights/forecast/" hx-trigger="every 4s"' in page
    assert response.status_code == 202
    assert response.json() == {
        "status": "computing",
        "detail": "กำลังคำนวณการพยากรณ์ โปรดถามใหม่อีกครั้งในไม่กี่วินาที",
        "retry_after": 5,
    }
    assert len(queued) == 1  # one task for both requests: the second found it queued
    queued[0]()  # the task (the immediate backend runs it at once)
    page = client.get("/insights/forecast/").content.decode()
    assert "คำนวณเมื่อ" in page and "hx-trigger" not in page
    assert token_client(admin_user).get("/api/v1/analytics/forecast").status_code == 200


def paid_every_day(customer: int, days: int, units: int) -> None:
    today = timezone.localdate()
    orders = [
        OrderInput(
            customer=customer,
            lines=[LineInput("P", units)],
            channel="store",
            ordered_at=dt.datetime.combine(today - dt.timedelta(days=n), dt.time(12), BANGKOK),
        )
        for n in range(1, days + 1)
    ]
    assert not services.orders_bulk_record(actor=None, orders=orders).errors


def test_a_sales_rep_sees_the_forecast_of_their_own_records(
    admin_user, sales_user, django_capture_on_commit_callbacks
):
    """The rep's customer buys 1,000 baht a day, another rep's 5,000: the rep's forecast
    is made from their 1,000 alone, the manager's from both."""
    ProductFactory(sku="P", list_price=Decimal("107.00"), unit_cost=Decimal("60.00"))
    own = CustomerFactory(owner=sales_user, team=None)
    other = CustomerFactory(owner=admin_user, team=None)
    paid_every_day(own.pk, 140, 10)
    paid_every_day(other.pk, 140, 50)
    rep = token_client(sales_user)
    with django_capture_on_commit_callbacks(execute=True):  # the task makes the rep's
        assert rep.get("/api/v1/analytics/forecast").status_code == 202
    assert forecast_store.keep_daily() == 1  # the worker's daily round makes "all"
    assert set(StoredForecast.objects.values_list("scope", flat=True)) == {
        "all",
        f"user-{sales_user.pk}",
    }
    rep_body = rep.get("/api/v1/analytics/forecast").json()
    all_body = token_client(admin_user).get("/api/v1/analytics/forecast").json()
    for mine, everyone in zip(rep_body["months"], all_body["months"], strict=True):
        start = dt.date.fromisoformat(mine["month"])
        days = ((start + dt.timedelta(days=32)).replace(day=1) - start).days
        # Last week again (too little history for a test): each day as the last week's.
        assert Decimal(mine["expected"]) == pytest.approx(1_000 * days, rel=0.01)
        assert Decimal(everyone["expected"]) == pytest.approx(6_000 * days, rel=0.01)
    page = login(sales_user).get("/insights/forecast/").content.decode()
    assert rep_body["months"][0]["expected"][:3] in page.replace(",", "")


def test_a_user_gone_loses_their_forecast(sales_user):
    stored(f"user-{sales_user.pk}", timezone.localdate() - dt.timedelta(days=1), "1.00")
    sales_user.is_active = False
    sales_user.save(update_fields=["is_active"])
    assert forecast_store.make(f"user-{sales_user.pk}") is False
    assert not StoredForecast.objects.filter(scope=f"user-{sales_user.pk}").exists()


def test_compute_again_queues_a_task_and_the_panel_polls_until_it_is_made(
    admin_user, django_capture_on_commit_callbacks
):
    """After an import of past orders, say: the forecast made today is made again on demand,
    the old one shown meanwhile."""
    today = timezone.localdate()
    fill_days(200, today)
    stored("all", today, "99.00")
    client = login(admin_user)
    with django_capture_on_commit_callbacks() as queued:
        page = client.post("/insights/forecast/", headers={"HX-Request": "true"}).content.decode()
        again = client.post("/insights/forecast/", headers={"HX-Request": "true"})
    assert len(queued) == 1  # the second press finds the task on its way
    assert "Computing the forecast again…" in page and "99.00" in page
    after = page.split('hx-get="/insights/forecast/?after=')[1].split('"')[0]
    assert 'hx-trigger="every 4s"' in page and "Compute again" not in page
    assert f"?after={after}" in again.content.decode()
    polled = client.get(f"/insights/forecast/?after={after}").content.decode()
    assert "Computing the forecast again…" in polled  # not made yet
    queued[0]()  # the task
    polled = client.get(f"/insights/forecast/?after={after}").content.decode()
    assert "99.00" not in polled and "hx-trigger" not in polled and "Compute again" in polled
    # Bad or stale input only stops the polling.
    for bad in ("x", "nan", "-1", "1e400", "99999999999"):
        assert "hx-trigger" not in client.get(f"/insights/forecast/?after={bad}").content.decode()
    plain = client.post("/insights/forecast/")  # without JavaScript: back to the dashboard
    assert plain.status_code == 302 and plain["Location"] == "/#forecast"
    assert client.put("/insights/forecast/").status_code == 405
