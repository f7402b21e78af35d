"""Insight measures at scale: top customers and shares for standard and custom periods,
the regulars lists, a customer's cadence panel, and the analytics roll-up rebuild."""

import datetime as dt
import time
from typing import Any

from django.test import Client
from django.utils import timezone

from bench.timing import percentiles, timed
from samphan.accounts.models import User
from samphan.analytics import queries
from samphan.analytics.models import CustomerActivity
from samphan.analytics.rollups import analytics_rebuild
from samphan.core.periods import Period


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
        pages[f"home dashboard, {name}"] = percentiles(
            timed(lambda name=name: get(f"/?period={name}"), 5)
        )
    for name in ("this_month", "this_year", "last_12_months", "all_time"):
        pages[f"top customers page, {name}"] = percentiles(
            timed(lambda name=name: get(f"/insights/top/?period={name}"), 5)
        )
    pages["top-10 + shares, custom 180 days"] = percentiles(
        timed(
            lambda: (
                queries.top_customers(admin, custom, limit=10),
                queries.revenue_share(admin, custom),
            ),
            5,
        )
    )
    pages["expected today page"] = percentiles(timed(lambda: get("/insights/regulars/"), 5))
    pages["overdue regulars page"] = percentiles(
        timed(lambda: get("/insights/regulars/?list=overdue"), 5)
    )
    pages["cadence panel"] = percentiles(
        [t for pk in ids for t in timed(lambda pk=pk: get(f"/insights/customers/{pk}/cadence/"), 1)]
    )
    started = time.perf_counter()
    counts = analytics_rebuild()
    return {
        "pages": pages,
        "rebuild": {"seconds": round(time.perf_counter() - started, 1), **counts},
    }
