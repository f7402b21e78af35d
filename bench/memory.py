"""Peak memory of one insight analysis, on its own: ``python bench/memory.py NAME`` runs it
in a fresh process against the benchmark's database and prints its time, its peak
resident size and the size before it began, as JSON. ``bench/analytics.py`` runs each in
turn: the whole benchmark process's peak includes loading the demo data, which says
nothing about any one analysis.
"""

import datetime as dt
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ANALYSES = [
    "dashboard snapshot, this year",
    "top-10 + shares, custom 180 days",
    "group breakdown (province), custom 180 days",
    "expected today, every customer",
    "overdue regulars, every customer",
    "insights roll-up rebuild",
    "RFM for every customer",
]


def _analyses() -> dict[str, Callable[[], object]]:
    from django.utils import timezone

    from samphan.accounts.models import User
    from samphan.analytics import queries
    from samphan.analytics.dashboard import build_snapshot
    from samphan.analytics.rfm import rfm_rebuild
    from samphan.analytics.rollups import analytics_rebuild
    from samphan.core.periods import Period

    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    custom = Period(today - dt.timedelta(days=200), today - dt.timedelta(days=20))
    return dict(
        zip(
            ANALYSES,
            [
                lambda: build_snapshot("this_year"),
                lambda: queries.top_and_share(admin, custom, limit=10),
                lambda: queries.top_groups(admin, custom, "province"),
                lambda: len(queries.expected_today(admin, today)),
                lambda: len(queries.overdue_regulars(admin, today)),
                analytics_rebuild,
                rfm_rebuild,
            ],
            strict=True,
        )
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    analysis = _analyses()[sys.argv[1]]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    analysis()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": round(seconds, 2), "peak_mb": round(peak / 1024)}
    print(json.dumps({**result, "setup_mb": round(before / 1024)}))


if __name__ == "__main__":
    main()
