"""Peak memory of one insight analysis, on its own: ``python bench/memory.py NAME`` runs it
in a fresh process against the benchmark's database and prints its time, its peak
resident size and the size before it began, as JSON. ``bench/analytics.py`` runs each in
turn: the whole benchmark process's peak includes loading the demo data, which says
nothing about any one analysis.
"""

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ANALYSES = [
    "dashboard snapshot, this year",
    "top-10 + shares, custom 180 days, columns loaded first",
    "group breakdown (province), custom 180 days, columns loaded first",
    "expected today, every customer",
    "overdue regulars, every customer",
    "insights roll-up rebuild",
    "RFM for every customer",
]


def _analyses() -> dict[str, Callable[[], object]]:
    from django.utils import timezone

    from samphan.accounts.models import User
    from samphan.analytics import columns, queries
    from samphan.analytics.dashboard import build_snapshot
    from samphan.analytics.figures import GroupQuestion, TopQuestion, figures
    from samphan.analytics.rfm import rfm_rebuild
    from samphan.analytics.rollups import analytics_rebuild
    from samphan.core.periods import Period

    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    # In a fresh process the paid orders' columns are loaded first: in line here, so that
    # the time and the peak include them.
    columns.LOAD_IN_BACKGROUND = False
    custom = Period(today - dt.timedelta(days=200), today - dt.timedelta(days=20))
    return dict(
        zip(
            ANALYSES,
            [
                lambda: build_snapshot("this_year"),
                lambda: figures(admin, TopQuestion(custom, limit=10)),
                lambda: figures(admin, GroupQuestion(custom, "province")),
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
    # The high-water mark starts from this process's own pages: Linux keeps a parent's
    # across fork and exec (the benchmark's, gigabytes after the load), so reset it.
    Path("/proc/self/clear_refs").write_text("5")
    before = _high_water_mb()
    started = time.perf_counter()
    analysis()
    seconds = time.perf_counter() - started
    print(
        json.dumps({"seconds": round(seconds, 2), "peak_mb": _high_water_mb(), "setup_mb": before})
    )


def _high_water_mb() -> int:
    """Peak resident memory of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
