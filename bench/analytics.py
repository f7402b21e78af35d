"""Insight measures at scale: top customers and shares for standard and custom periods,
the regulars lists, a customer's cadence panel, and the analytics roll-up rebuild."""

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from bench.funnel import measure_funnel
from bench.memory import ANALYSES
from bench.reference import duckdb_top_and_shares
from bench.timing import percentiles, timed
from samphan.accounts.models import User
from samphan.analytics import columns, queries, snapshots
from samphan.analytics.dashboard import build_snapshot
from samphan.analytics.figures import TopQuestion, figures
from samphan.analytics.models import CustomerActivity, Snapshot
from samphan.analytics.rfm import rfm_rebuild
from samphan.analytics.rollups import analytics_rebuild, order_recorded
from samphan.core.periods import Period
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput


def measure_analytics(admin: User) -> dict[str, Any]:
    client = Client()
    client.force_login(admin)
    today = timezone.localdate()

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    ids = list(
        CustomerActivity.objects.filter(days__gte=5)
        .order_by("?")
        .values_list("customer_id", flat=True)[:20]
    )
    custom = Period(today - dt.timedelta(days=200), today - dt.timedelta(days=20))
    pages: dict[str, dict[str, float]] = {}
    for name in ("this_month", "last_month", "this_year"):
        # The snapshot's computation (what the worker does once a minute), then the page
        # as everyone gets it: served from the snapshot.
        pages[f"dashboard snapshot computed, {name}"] = percentiles(
            timed(lambda name=name: build_snapshot(name), 2)
        )
        get(f"/?period={name}")
        pages[f"home dashboard, {name}"] = percentiles(
            timed(lambda name=name: get(f"/?period={name}"), 10)
        )
    # The paid orders' columns, loaded as a process's first use does (in a thread of its
    # own there, the figures coming from SQL meanwhile); timed here in line.
    columns.forget()
    columns.LOAD_IN_BACKGROUND = False
    pages["columns of the paid orders: load (a process's first use)"] = percentiles(
        timed(columns.paid_orders, 1)
    )
    columns.LOAD_IN_BACKGROUND = True
    pages["worker's round after a new order, 6 standard periods looked at"] = percentiles(
        timed(lambda: keep_fresh_round(get), 2)
    )
    pages["home dashboard, custom 180 days (live)"] = percentiles(
        timed(
            lambda: get(
                f"/?period=custom&since={custom.since.isoformat()}&until={custom.until.isoformat()}"
            ),
            3,
        )
    )
    for name in ("this_month", "this_year", "last_12_months", "all_time"):
        get(f"/insights/top/?period={name}")  # its snapshot made, as the worker keeps it
        pages[f"top customers page, {name}"] = percentiles(
            timed(lambda name=name: get(f"/insights/top/?period={name}"), 5)
        )
    pages["top-10 + shares, custom 180 days"] = percentiles(
        timed(
            lambda: figures(admin, TopQuestion(custom, limit=10)),
            5,
        )
    )
    pages["top-10 + shares, custom 180 days, by SQL (while the columns load; reps)"] = percentiles(
        timed(lambda: queries.ranked_by_sql(admin, custom, by="revenue", limit=10), 3)
    )
    # What the top-customers page computes for a custom period with a breakdown chosen.
    pages["top-10 + shares + breakdown by province, custom 180 days"] = percentiles(
        timed(
            lambda: figures(admin, TopQuestion(custom, limit=10, group="province")),
            3,
        )
    )
    reference = duckdb_top_and_shares(custom.start, custom.end)
    ours = pages["top-10 + shares, custom 180 days"]["p50_ms"]
    pages["top-10 + shares, custom 180 days: DuckDB reference"] = reference
    pages.update(measure_funnel(admin, repeats=5))  # issue 22: from the purchase marks
    pages["expected today page"] = percentiles(timed(lambda: get("/insights/regulars/"), 5))
    pages["overdue regulars page"] = percentiles(
        timed(lambda: get("/insights/regulars/?list=overdue"), 5)
    )
    pages["cadence panel"] = percentiles(
        [t for pk in ids for t in timed(lambda pk=pk: get(f"/insights/customers/{pk}/cadence/"), 1)]
    )
    started = time.perf_counter()
    counts = analytics_rebuild()
    rebuild_seconds = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    scored = rfm_rebuild()
    rfm_seconds = round(time.perf_counter() - started, 1)
    return {
        "pages": pages,
        "reference_ratio": round(ours / reference["p50_ms"], 1) if reference["p50_ms"] else None,
        "rebuild": {"seconds": rebuild_seconds, **counts},
        "rfm": {"seconds": rfm_seconds, "customers": scored},
        "overhead_ms_per_order": order_overhead(),
        "overhead_ms_per_new_order": new_order_overhead(),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "memory": analyses_memory(),
    }


def analyses_memory() -> dict[str, dict[str, float]]:
    """Each analysis in a process of its own (``bench/memory.py``): its peak memory, Django
    and the interpreter included (``setup_mb``: before the analysis started)."""
    script = Path(__file__).resolve().parent / "memory.py"
    found = {}
    for name in ANALYSES:
        output = subprocess.run(  # noqa: S603 - our own script, our own names
            [sys.executable, str(script), name], capture_output=True, text=True, check=True
        )
        found[name] = json.loads(output.stdout.strip().splitlines()[-1])
    return found


STANDARD_PERIODS = ("this_month", "last_month", "this_quarter", "this_year", "last_12_months",
                    "all_time")  # fmt: skip


def keep_fresh_round(get: Any) -> None:
    """How late new orders reach the dashboard at worst: one round of the worker's loop
    (``snapshots.keep_fresh``) after an order, every standard period's snapshot having
    been looked at. The lag is at most the loop's interval plus this."""
    for name in STANDARD_PERIODS:
        get(f"/?period={name}")
    # What those looks queued, a worker would have run (no worker runs here).
    Snapshot.objects.update(queued_at=None)
    order = Order.objects.filter(status=Order.Status.PAID).order_by("-pk").first()
    assert order is not None
    services.order_record(
        actor=None,
        customer=order.customer,
        lines=[LineInput(line.product_id, 1) for line in order.lines.all()[:1]],
        channel=order.channel,
    )
    assert snapshots.keep_fresh() == len(STANDARD_PERIODS)


def order_overhead(count: int = 1_000) -> float:
    """What keeping the analytics roll-ups adds to an order write, in the dearest case:
    ``order_recorded`` for existing orders, as if each were new (back-dated, mostly)."""
    return _recorded_ms(list(Order.objects.filter(status=Order.Status.PAID).order_by("?")[:count]))


def new_order_overhead(count: int = 1_000) -> float:
    """The usual case: an order made now by a customer who bought before (unsaved orders:
    the roll-ups read only their fields)."""
    now = timezone.now()
    buyers = CustomerActivity.objects.filter(order_count__gt=0).order_by("?")[:count]
    amounts = {"revenue": Decimal("100.00"), "profit": Decimal("30.00")}
    return _recorded_ms(
        [
            Order(customer_id=pk, ordered_at=now, channel="store", **amounts)
            for pk in buyers.values_list("customer_id", flat=True)
        ]
    )


def _recorded_ms(orders: list[Order]) -> float:
    """Milliseconds per ``order_recorded`` call, in a transaction rolled back."""
    with transaction.atomic():
        started = time.perf_counter()
        for order in orders:
            order_recorded(order)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return round(seconds / max(len(orders), 1) * 1000, 3)
