"""The sales funnel report (issue 22): its page and API, for the admin and for a sales rep
who sees only their own and their team's records, over three periods.

Part of ``measure_analytics`` (bench/analytics.py); by hand, on a loaded database (e.g. to
time the code of another checkout on the same data):

    DATABASE_URL=... python bench/funnel.py [--repeats 20]
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.test import Client
from django.utils import timezone

from bench.timing import percentiles, timed
from samphan.accounts.models import User

PERIODS = ("last_90", "this_year", "last_month")
API = "/api/v1/analytics/funnel?period=last_90"


def _rep() -> User | None:
    """A user limited to own and team records who may see leads (the demo's sales1)."""
    for user in User.objects.filter(is_superuser=False, is_active=True).order_by("pk"):
        if not user.sees_all_records() and user.has_perm("sales.view_lead"):
            return user
    return None


def measure_funnel(admin: User, repeats: int = 10) -> dict[str, dict[str, float]]:
    pages: dict[str, dict[str, float]] = {}
    viewers = [("admin", admin)]
    rep = _rep()
    if rep is not None:
        viewers.append(("sales rep (own and team)", rep))
    for who, user in viewers:
        client = Client()
        client.force_login(user)

        def get(url: str, client: Client = client) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        for period in PERIODS:
            get(f"/insights/funnel/?period={period}")  # warm
            pages[f"sales funnel page, {period}, {who}"] = percentiles(
                timed(lambda p=period: get(f"/insights/funnel/?period={p}"), repeats)
            )
        pages[f"sales funnel API, last_90, {who}"] = percentiles(timed(lambda: get(API), repeats))
        # Custom dates are counted on the request, whoever asks (what the worker does to keep
        # a preset's snapshot fresh for those who see all records).
        custom = _custom_url(90)
        get(custom)
        pages[f"sales funnel page, custom 90 days, {who}"] = percentiles(
            timed(lambda url=custom: get(url), repeats)
        )
    return pages


def _custom_url(days: int) -> str:
    until = timezone.localdate()
    since = until - dt.timedelta(days=days - 1)
    return f"/insights/funnel/?period=custom&since={since}&until={until}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-admin", password=None)
    result: dict[str, Any] = measure_funnel(admin, args.repeats)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
