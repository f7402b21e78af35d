"""Snapshots are kept fresh while people look at them: recomputed when their sources
change, marked as of now when they did not, left alone when nobody looked."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.utils import timezone

from samphan.analytics import snapshots
from samphan.analytics.models import Snapshot
from samphan.core.background import Loop, Loops, registered
from samphan.sales import services
from tests.analytics.test_rollups import buy, visit
from tests.analytics.test_views import login
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
KEY = "dashboard:this_month"


@pytest.fixture
def looked_at(admin_user):
    """The dashboard of this month, looked at a minute ago and computed then."""
    product = ProductFactory(list_price=Decimal("107.00"))
    buy(CustomerFactory(), product, timezone.now() - dt.timedelta(minutes=5))
    login(admin_user).get("/", {"period": "this_month"})
    assert Snapshot.objects.get(key=KEY).viewed_at is not None  # the first look counts
    minute_ago = timezone.now() - dt.timedelta(minutes=1)
    Snapshot.objects.filter(key=KEY).update(computed_at=minute_ago, viewed_at=minute_ago)
    return product


def orders_shown() -> int:
    return Snapshot.objects.get(key=KEY).data["kpis"]["orders"]["value"]


def test_a_new_order_is_in_the_figures_at_the_next_round(looked_at):
    assert orders_shown() == 1
    buy(CustomerFactory(), looked_at, timezone.now())
    assert snapshots.keep_fresh() == 1
    fresh = Snapshot.objects.get(key=KEY)
    assert orders_shown() == 2 and timezone.now() - fresh.computed_at < dt.timedelta(seconds=5)
    assert fresh.queued_at is None and fresh.sources == snapshots.sources_mark()


def test_unchanged_sources_are_marked_as_of_now_without_computing(looked_at):
    before = Snapshot.objects.get(key=KEY)
    assert snapshots.keep_fresh() == 0
    after = Snapshot.objects.get(key=KEY)
    assert after.computed_at > before.computed_at and after.data == before.data
    assert after.seconds == before.seconds  # not computed again


def test_nobody_looking_nothing_done(looked_at):
    long_ago = timezone.now() - snapshots.KEEP_FRESH_FOR - dt.timedelta(seconds=1)
    Snapshot.objects.filter(key=KEY).update(viewed_at=long_ago)
    buy(CustomerFactory(), looked_at, timezone.now())
    computed = Snapshot.objects.get(key=KEY).computed_at
    assert snapshots.keep_fresh() == 0
    assert Snapshot.objects.get(key=KEY).computed_at == computed and orders_shown() == 1


def test_a_refresh_already_queued_is_left_to_its_task(looked_at):
    Snapshot.objects.filter(key=KEY).update(queued_at=timezone.now())
    buy(CustomerFactory(), looked_at, timezone.now())
    assert snapshots.keep_fresh() == 0 and orders_shown() == 1


def test_the_sources_mark_moves_with_what_the_figures_read(looked_at):
    marks = [snapshots.sources_mark()]
    order = buy(CustomerFactory(), looked_at, timezone.now())
    marks.append(snapshots.sources_mark())
    services.order_set_status(actor=None, order=order, status="cancelled")
    marks.append(snapshots.sources_mark())
    visit(order.customer, timezone.now())
    marks.append(snapshots.sources_mark())
    CustomerFactory()
    marks.append(snapshots.sources_mark())
    assert len(set(marks)) == len(marks)
    assert snapshots.sources_mark() == marks[-1]


def test_a_look_is_written_down_once_a_minute(admin_user, looked_at):
    client = login(admin_user)
    client.get("/", {"period": "this_month"})
    viewed = Snapshot.objects.get(key=KEY).viewed_at
    assert timezone.now() - viewed < dt.timedelta(seconds=5)
    client.get("/", {"period": "this_month"})
    assert Snapshot.objects.get(key=KEY).viewed_at == viewed


def test_the_worker_runs_registered_loops_in_threads_until_stopped():
    ran, failed_once = threading.Event(), []

    def work():
        if not failed_once:
            failed_once.append(True)
            raise RuntimeError("a failed run does not end the loop")
        ran.set()

    loops = Loops([Loop("test-loop", 0.01, work)]).start()
    try:
        assert ran.wait(5)
    finally:
        loops.stop()
    assert all(not thread.is_alive() for thread in loops._threads)
    # The worker keeps the snapshots fresh.
    assert Loop("snapshots", snapshots.KEEP_FRESH_EVERY, snapshots.keep_fresh) in registered()


def test_a_round_computes_what_every_period_shares_once(admin_user, looked_at, monkeypatch):
    from samphan.analytics import dashboard

    login(admin_user).get("/", {"period": "last_month"})
    Snapshot.objects.update(viewed_at=timezone.now())
    computed = []
    real = dashboard.figures_whatever_the_period

    def counted(user, today):
        computed.append(today)
        return real(user, today)

    monkeypatch.setattr(dashboard, "figures_whatever_the_period", counted)
    buy(CustomerFactory(), looked_at, timezone.now())
    assert snapshots.keep_fresh() == 2 and len(computed) == 1
    this_month, last_month = (
        Snapshot.objects.get(key=f"dashboard:{p}") for p in ("this_month", "last_month")
    )
    assert this_month.data["counts"] == last_month.data["counts"]
    assert this_month.computed_at == last_month.computed_at  # as of the round's start
    snapshots.refresh("dashboard:last_month")  # outside a round: computed for itself
    buy(CustomerFactory(), looked_at, timezone.now())
    snapshots.refresh("dashboard:last_month")
    assert len(computed) == 2
