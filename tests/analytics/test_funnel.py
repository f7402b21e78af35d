"""The lifecycle and pipeline funnels on hand-made leads and deals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from samphan.analytics.funnel import by_channel, by_source, lifecycle, pipeline_funnel
from samphan.core.periods import Period
from samphan.sales import services
from samphan.sales.models import Lead, Stage
from samphan.sales.services import Conversion, LeadInput
from samphan.sales.services.deals import default_pipeline
from tests.analytics.test_rollups import buy
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def today_period():
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=30), today)


def capture(name, source, phone):
    return services.lead_capture(
        actor=None, data=LeadInput(first_name=name, phone=phone, source=source)
    )


@pytest.fixture
def cohort(admin_user):
    """Six leads: four converted, of whom two bought and one bought again."""
    product = ProductFactory(list_price=D("107.00"))
    leads = [
        capture(f"ลีด{n}", "website" if n < 4 else "line", f"08{n}-000-000{n}") for n in range(6)
    ]
    for lead in leads[:4]:
        services.lead_convert(actor=admin_user, lead=lead, conversion=Conversion())
    now = timezone.now()
    buy(leads[0].customer, product, now + dt.timedelta(minutes=1))
    buy(leads[0].customer, product, now + dt.timedelta(minutes=2))
    buy(leads[1].customer, product, now + dt.timedelta(minutes=3))
    return leads


def test_lifecycle_steps(admin_user, cohort):
    steps = {step.key: step for step in lifecycle(admin_user, today_period())}
    assert [steps[key].count for key in ("leads", "converted", "bought", "repeat")] == [6, 4, 2, 1]
    assert steps["converted"].rate == round(4 / 6, 4) and steps["bought"].rate == 0.5
    assert steps["repeat"].overall == round(1 / 6, 4)
    assert steps["leads"].rate is None
    assert steps["converted"].median_days is not None and steps["converted"].median_days < 1


def test_by_source(admin_user, cohort):
    rows = {row.value: row for row in by_source(admin_user, today_period())}
    assert (rows["website"].leads, rows["website"].converted, rows["website"].bought) == (4, 4, 2)
    assert rows["website"].repeat == 1 and rows["website"].conversion == 0.5
    assert (rows["line"].leads, rows["line"].bought) == (2, 0)
    with pytest.raises(ValueError):
        by_source(admin_user, today_period(), field="owner")


def test_empty_period(admin_user, cohort):
    old = Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    steps = lifecycle(admin_user, old)
    assert [step.count for step in steps] == [0, 0, 0, 0]
    assert all(step.rate is None for step in steps[1:])
    assert by_source(admin_user, old) == []


@pytest.fixture
def first_purchases(admin_user):
    """New customers by the channel of their first purchase, over the last 30 days."""
    tea = ProductFactory()
    now = timezone.now()
    ago = lambda days: now - dt.timedelta(days=days)  # noqa: E731
    a, b, c, old, twice = (CustomerFactory() for _ in range(5))
    buy(a, tea, ago(10), "store")
    buy(a, tea, ago(5), "online")  # bought again after 5 days, counted in store
    buy(b, tea, ago(8), "online")
    buy(c, tea, ago(3), "online")
    buy(c, tea, ago(1), "store")  # after 2 days
    buy(old, tea, ago(400), "store")  # not new in the period
    buy(old, tea, ago(2), "line")
    buy(twice, tea, ago(4), "phone")  # two orders at the first moment: counted once
    buy(twice, tea, ago(4), "field")
    return a


def test_by_channel(admin_user, first_purchases):
    rows = [
        (r.channel, r.new, r.repeat, r.median_days) for r in by_channel(admin_user, today_period())
    ]
    assert rows == [("online", 2, 1, 2.0), ("phone", 1, 0, None), ("store", 1, 1, 5.0)]
    assert by_channel(admin_user, today_period())[0].repeat_rate == 0.5
    assert by_channel(admin_user, Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31))) == []


def test_by_channel_for_a_rep(make_user, first_purchases):
    rep = make_user(role="sales")
    assert by_channel(rep, today_period()) == []
    first_purchases.owner = rep
    first_purchases.save()
    assert [(r.channel, r.new) for r in by_channel(rep, today_period())] == [("store", 1)]


def test_a_rep_sees_own_leads(make_user, cohort):
    rep = make_user(role="sales")
    Lead.objects.filter(pk=cohort[5].pk).update(owner=rep, team=None)
    Lead.objects.exclude(pk=cohort[5].pk).update(team=None)
    assert lifecycle(rep, today_period())[0].count == 1


def test_pipeline_funnel_counts_skipped_stages_as_passed(admin_user):
    pipeline = default_pipeline()
    stages = list(pipeline.stages.all())
    interested, presented, quoted, negotiation, won, lost = stages
    customer = CustomerFactory()

    def deal(*path):
        created = services.deal_create(
            actor=admin_user, fields={"title": "x", "customer": customer}
        )
        for stage in path:
            reason = "price" if stage.outcome == Stage.Outcome.LOST else ""
            created = services.deal_move(actor=admin_user, deal=created, stage=stage, reason=reason)
        return created

    deal()  # stays Interested
    deal(presented)
    deal(quoted, lost)  # lost after reaching Quoted
    deal(negotiation, won)  # skipped Presented and Quoted
    deal(lost)  # lost at once
    steps = pipeline_funnel(admin_user, pipeline, today_period())
    assert [step.stage for step in steps] == [interested, presented, quoted, negotiation, won]
    assert [step.reached for step in steps] == [5, 3, 2, 1, 1]
    assert steps[1].rate == 0.6 and steps[4].rate == 1.0
    assert all(stage.outcome != Stage.Outcome.LOST for stage in (s.stage for s in steps))


def test_page(admin_user, cohort):
    client = login(admin_user)
    page = client.get("/insights/funnel/", {"period": "last_30"}).content.decode()
    assert 'id="lifecycle-options"' in page and "website" in page
    assert "New customers by sales channel" in page and "store" in page
    assert "No deals were created in this period." in page
    response = client.get("/insights/funnel/", {"pipeline": "999"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()


def test_api(admin_user, cohort):
    client = token_client(admin_user)
    body = client.get("/api/v1/analytics/funnel", {"period": "last_30"}).json()
    assert [step["count"] for step in body["lifecycle"]] == [6, 4, 2, 1]
    assert {row["value"]: row["leads"] for row in body["by_source"]} == {"website": 4, "line": 2}
    assert body["pipeline"][0]["reached"] == 0 and body["pipeline_id"] is not None
    # The cohort's two buyers first bought in the store, one of them again.
    assert body["by_channel"] == [
        {"channel": "store", "new": 2, "repeat": 1, "repeat_rate": 0.5, "median_days": 0.0}
    ]
    assert client.get("/api/v1/analytics/funnel", {"pipeline": 999}).status_code == 404
    bad = client.get("/api/v1/analytics/funnel", {"since": "2026-05-02", "until": "2026-05-01"})
    assert bad.status_code == 422
