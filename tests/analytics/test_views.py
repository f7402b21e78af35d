import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from samphan.analytics.dashboard import week_hours
from samphan.analytics.models import Snapshot
from samphan.core import periods
from samphan.core.periods import preset_period
from samphan.customers.models import ContactPoint
from tests.analytics.test_rollups import at, buy, visit
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
D = Decimal


def login(user):
    """A client of ``user``, who reads English (pages follow each user's language)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sold_today():
    product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
    customers = [CustomerFactory() for _ in range(3)]
    now = timezone.now()
    for units, customer in enumerate(customers, start=1):
        buy(customer, product, now - dt.timedelta(minutes=5), quantity=units)
    ContactPointFactory(
        customer=customers[2],
        kind=ContactPoint.Kind.MOBILE,
        value="+66812345678",
        is_preferred=True,
    )
    return customers


class TestTopCustomers:
    def test_page(self, admin_user, sold_today):
        client = login(admin_user)
        client.get("/insights/top/", {"period": "this_month"})  # computes the snapshot
        with assert_queries(4):  # served from it
            response = client.get("/insights/top/", {"period": "this_month", "by": "revenue"})
        assert response.context["computed_at"] is not None
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index(sold_today[2].display_name) < page.index(sold_today[0].display_name)
        assert 'href="tel:+66812345678"' in page
        assert 'data-chart="pareto-options"' in page and 'id="pareto-options"' in page
        assert "50.0%" in page  # the best of 1 + 2 + 3 units brings half

    def test_query_count_does_not_grow_with_rows(self, admin_user, sold_today):
        client = login(admin_user)
        before = _count(client)
        product = ProductFactory()
        for _ in range(5):
            buy(CustomerFactory(), product, timezone.now())
        assert _count(client) == before

    def test_empty_period_and_bad_dates(self, admin_user):
        client = login(admin_user)
        page = client.get("/insights/top/", {"period": "last_month"}).content.decode()
        assert "No paid orders in this period." in page
        response = client.get(
            "/insights/top/", {"period": "custom", "since": "2026-05-01", "until": "2026-04-01"}
        )
        assert response.status_code == 200
        assert "The last day is before the first." in response.content.decode()
        # A year typed in the Buddhist era is read as one and shown so, never as A.D. 2569.
        response = client.get(
            "/insights/top/", {"period": "custom", "since": "01/01/2569", "until": "2569-01-31"}
        )
        assert response.context["period"] == periods.Period(
            dt.date(2026, 1, 1), dt.date(2026, 1, 31)
        )
        assert 'value="01/01/2569"' in response.content.decode()
        response = client.get("/insights/top/", {"by": "volume", "limit": "7"})
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()

    def test_permissions(self, make_user, sold_today):
        assert login(make_user(role=None)).get("/insights/top/").status_code == 403
        rep = make_user(role="sales")
        page = login(rep).get("/insights/top/").content.decode()
        assert "No paid orders in this period." in page  # owns none of them


def _count(client):
    """Queries of the live page (custom dates are never a snapshot)."""
    today = timezone.localdate().isoformat()
    with assert_queries() as captured:
        client.get("/insights/top/", {"period": "custom", "since": today, "until": today})
    return len(captured.captured_queries)


class TestRegularsAndCadence:
    def test_expected_and_overdue_pages(self, admin_user):
        today = timezone.localdate()
        regular = CustomerFactory()
        for weeks in range(1, 7):
            visit(regular, at(today - dt.timedelta(weeks=weeks)))
        client = login(admin_user)
        page = client.get("/insights/regulars/").content.decode()
        assert regular.display_name in page
        page = client.get("/insights/regulars/", {"list": "overdue"}).content.decode()
        assert "No regular is overdue." in page

    def test_cadence_panel(self, admin_user, make_user):
        today = timezone.localdate()
        customer = CustomerFactory()
        for weeks in range(1, 7):
            visit(customer, at(today - dt.timedelta(weeks=weeks), 10))
        response = login(admin_user).get(f"/insights/customers/{customer.pk}/cadence/")
        page = response.content.decode()
        assert "Usually comes on" in page and "around 10:00" in page
        assert f'id="cadence-heatmap-{customer.pk}"' in page
        other = CustomerFactory()
        assert (
            "No visits or purchases yet."
            in login(admin_user).get(f"/insights/customers/{other.pk}/cadence/").content.decode()
        )
        rep = make_user(role="sales")
        assert login(rep).get(f"/insights/customers/{customer.pk}/cadence/").status_code == 404


class TestDashboard:
    def test_kpis_against_the_period_before(self, admin_user):
        product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
        today = timezone.localdate()
        this_month = today.replace(day=1)
        last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
        old, new = CustomerFactory(), CustomerFactory()
        buy(old, product, at(last_month, 10))
        buy(old, product, at(this_month, 10), quantity=2)
        buy(new, product, at(this_month, 11))
        response = login(admin_user).get("/", {"period": "this_month"})
        assert response.status_code == 200
        kpis = response.context["kpis"]
        assert kpis["revenue"]["value"] == "300.00" and kpis["orders"]["value"] == 2
        assert kpis["buyers"]["value"] == 2 and kpis["new_buyers"]["value"] == 1
        assert kpis["returning_buyers"]["value"] == 1 and kpis["repeat_rate"]["value"] == 0.5
        # The period before is as many days back, not the calendar month before.
        assert kpis["revenue"]["previous"] in ("100.00", "0.00")
        assert response.context["computed_at"] is not None  # a snapshot, for an admin
        page = response.content.decode()
        assert 'id="trend-options"' in page and old.display_name in page

    def test_rep_sees_own_figures_and_no_sales_role_sees_the_plain_home(self, make_user):
        product = ProductFactory(list_price=D("107.00"))
        rep = make_user(role="sales")
        mine = CustomerFactory(owner=rep)
        buy(mine, product, timezone.now())
        buy(CustomerFactory(), product, timezone.now(), quantity=5)
        response = login(rep).get("/")
        kpis = response.context["kpis"]
        assert kpis["revenue"]["value"] == "100.00" and kpis["buyers"]["value"] == 1
        assert response.context["computed_at"] is None  # live: their own figures
        plain = login(make_user(role=None, username="nobody")).get("/")
        assert plain.status_code == 200 and "kpis" not in plain.context

    def test_bad_dates_keep_this_month(self, admin_user):
        response = login(admin_user).get("/", {"period": "custom", "since": "2026-02-30"})
        assert response.status_code == 200
        assert response.context["period"].since == timezone.localdate().replace(day=1)


def test_dashboard_heatmap_counts_orders_and_visits(admin_user, make_user):
    product = ProductFactory(list_price=D("107.00"))
    monday = dt.date(2026, 3, 2)
    customer = CustomerFactory()
    buy(customer, product, at(monday, 10))
    visit(customer, at(monday, 10, 30))
    visit(CustomerFactory(), at(monday + dt.timedelta(days=3), 18))
    march = preset_period("this_month", dt.date(2026, 3, 15))
    grid = week_hours(admin_user, march)
    assert grid[0][10] == 2 and grid[3][18] == 1 and sum(map(sum, grid)) == 3
    rep = make_user(role="sales")
    customer.owner = rep
    customer.save()
    assert sum(map(sum, week_hours(rep, march))) == 2  # own customers only


class TestSnapshots:
    def test_fresh_is_served_stale_is_queued_once(
        self, admin_user, django_capture_on_commit_callbacks
    ):
        from samphan.analytics.models import Snapshot

        client = login(admin_user)
        client.get("/", {"period": "last_month"})
        first = Snapshot.objects.get(key="dashboard:last_month")
        product = ProductFactory(list_price=D("107.00"))
        buy(CustomerFactory(), product, timezone.now())
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.get("/", {"period": "last_month"})  # fresh: served as it is
        assert callbacks == []
        Snapshot.objects.filter(pk=first.pk).update(
            computed_at=timezone.now() - dt.timedelta(minutes=2)
        )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            stale = client.get("/", {"period": "last_month"})
            client.get("/", {"period": "last_month"})  # queued already: not twice
        assert len(callbacks) == 1
        assert "Figures as of" in stale.content.decode()
        refreshed = Snapshot.objects.get(pk=first.pk)
        assert refreshed.computed_at > first.computed_at and refreshed.queued_at is None

    def test_custom_dates_are_live(self, admin_user):
        response = login(admin_user).get(
            "/", {"period": "custom", "since": "2026-01-01", "until": "2026-01-31"}
        )
        assert response.context["computed_at"] is None
        assert not Snapshot.objects.exists()


def test_top_page_snapshot_per_period_measure_and_group(admin_user):
    product = ProductFactory(list_price=D("107.00"))
    buy(CustomerFactory(), product, timezone.now())
    client = login(admin_user)
    client.get(
        "/insights/top/", {"period": "this_month", "by": "profit", "limit": 20, "group": "tier"}
    )
    assert Snapshot.objects.filter(key="top:this_month:profit:20:tier").exists()
    page = client.get(
        "/insights/top/", {"period": "this_month", "by": "profit", "limit": 20, "group": "tier"}
    )
    assert page.context["groups"][0].label and "Figures as of" in page.content.decode()
