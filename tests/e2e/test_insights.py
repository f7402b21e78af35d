"""Insights in a real browser: the dashboard's charts draw (ECharts under our CSP, no
console error), the forecast panel loads after the page, the top-customers page answers a
change of period, and a customer's cadence panel draws its heatmap."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.core.dates import date_text
from samphan.customers import services as customer_services
from samphan.sales import services
from samphan.sales.services import LineInput
from tests.e2e.conftest import screenshot
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_top_customers_and_cadence(live_server, page: Page):
    base = live_server.url
    UserFactory(username="boss", role=Role.MANAGER, password="boss-pass-123", language="en")
    tea = ProductFactory(list_price=Decimal("107.00"), unit_cost=Decimal("40.00"))
    regular = CustomerFactory(first_name="Anne", last_name="Regular")
    now = timezone.now()
    for weeks in range(6):
        moment = now - dt.timedelta(weeks=weeks, hours=1)
        services.order_record(
            actor=None, customer=regular, lines=[LineInput(tea.pk, 2)], channel="store",
            ordered_at=moment,
        )  # fmt: skip
        customer_services.interaction_log(
            actor=None, customer=regular, kind="visit", summary="came in", occurred_at=moment
        )
    services.order_record(
        actor=None, customer=CustomerFactory(), lines=[LineInput(tea.pk, 1)], channel="online"
    )

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass-123")
    page.click("button[type=submit]")
    # The dashboard: KPIs, the charts drawn, the forecast panel loaded after the page.
    page.goto(f"{base}/?period=last_90")
    expect(page.locator(".kpi-grid .kpi")).to_have_count(8)
    expect(page.locator("[data-chart=trend-options] canvas")).to_have_count(1)
    expect(page.locator("[data-chart=heatmap-options] canvas")).to_have_count(1)
    expect(page.locator("#forecast")).to_contain_text("Too little history")
    screenshot(page, "30-dashboard")

    # Top customers: the Pareto chart, and a change of the period answered in place.
    page.goto(f"{base}/insights/top/")
    expect(page.locator("[data-chart=pareto-options] canvas")).to_have_count(1)
    expect(page.locator(".top-table tbody tr").first).to_contain_text("Anne")
    page.select_option("#id_period", "last_30")
    expect(page).to_have_url(re.compile(r"period=last_30"))
    last_30 = timezone.localdate() - dt.timedelta(days=29)
    # The preset's first day, shown as every date field shows it (Buddhist era by default).
    expect(page.locator("#id_since")).to_have_value(date_text(last_30, buddhist_era=True))
    expect(page.locator("[data-chart=pareto-options] canvas")).to_have_count(1)
    screenshot(page, "31-top-customers")

    # The customer's page: the cadence panel with its heatmap, drawn after an HTMX load.
    page.goto(f"{base}/customers/{regular.pk}/")
    panel = page.locator("#cadence-title").locator("xpath=..").locator("xpath=..")
    expect(panel).to_contain_text("Usually comes on")
    expect(page.locator(f"[data-chart=cadence-heatmap-{regular.pk}] canvas")).to_have_count(1)
    screenshot(page, "32-cadence")
