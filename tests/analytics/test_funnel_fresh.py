"""The funnel served from the purchase marks (issue 22): the page and the API send as many
queries whatever the number of orders, and a write through the services (a lead, its
conversion, an order, a cancellation, a deal) shows in the funnel at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samphan.analytics.funnel import by_channel, by_source, lifecycle, pipeline_funnel
from samphan.core.periods import Period
from samphan.sales import services
from samphan.sales.models import Lead, Order
from samphan.sales.services import LeadInput
from samphan.sales.services.deals import default_pipeline
from tests.analytics.test_rollups import buy
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_page_and_api_send_as_many_queries_whatever_the_orders(admin_user):
    page, api = login(admin_user), token_client(admin_user)
    tea = ProductFactory(list_price=Decimal("107.00"))
    now = timezone.now()

    # Custom dates: counted live (a preset period comes from a snapshot for this user).
    today = timezone.localdate()
    dates = {"since": (today - dt.timedelta(days=29)).isoformat(), "until": today.isoformat()}

    def both():
        assert page.get("/insights/funnel/", {"period": "custom", **dates}).status_code == 200
        assert api.get("/api/v1/analytics/funnel", dates).status_code == 200

    def grow(count):
        for n in range(count):
            lead = services.lead_capture(
                actor=None, data=LeadInput(first_name=f"ลีด{n}", phone=f"08{n:08d}")
            )
            customer = services.lead_convert(
                actor=admin_user, lead=lead, conversion=services.Conversion()
            ).customer
            for minutes in (1, 2, 3):
                buy(customer, tea, now + dt.timedelta(minutes=minutes + n), "store")

    grow(2)
    both()  # warm
    few = _queries(both)
    grow(12)
    assert Order.objects.count() == 42
    assert _queries(both) == few


@pytest.mark.django_db
def test_writes_through_the_services_show_at_once(admin_user):
    period = Period(timezone.localdate() - dt.timedelta(days=30), timezone.localdate())
    tea = ProductFactory(list_price=Decimal("107.00"))
    lead = services.lead_capture(actor=None, data=LeadInput(first_name="สด", phone="0812345678"))
    assert lifecycle(admin_user, period)[0].count == 1
    services.lead_convert(actor=admin_user, lead=lead, conversion=services.Conversion())
    customer = Lead.objects.get(pk=lead.pk).customer
    buy(customer, tea, timezone.now() + dt.timedelta(minutes=1), "line")
    assert [step.count for step in lifecycle(admin_user, period)] == [1, 1, 1, 0]
    assert [(r.channel, r.new, r.repeat) for r in by_channel(admin_user, period)] == [
        ("line", 1, 0)
    ]
    second = buy(customer, tea, timezone.now() + dt.timedelta(minutes=2), "store")
    assert [step.count for step in lifecycle(admin_user, period)] == [1, 1, 1, 1]
    assert by_source(admin_user, period)[0].repeat == 1
    services.order_set_status(actor=None, order=second, status=Order.Status.CANCELLED)
    assert [step.count for step in lifecycle(admin_user, period)] == [1, 1, 1, 0]
    assert by_channel(admin_user, period)[0].repeat == 0
    other = CustomerFactory()
    services.deal_create(actor=admin_user, fields={"title": "x", "customer": other})
    assert pipeline_funnel(admin_user, default_pipeline(), period)[0].reached == 1
