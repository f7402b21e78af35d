"""The regulars lists (expected today, overdue) a page at a time.

Finding them reads every customer's roll-up (no index serves "today is their usual
weekday"), too slow for a page at a million customers on SQLite (docs/performance.md).
For users who see every record the ordered list of ids is a snapshot the worker keeps
fresh, like the dashboard (``analytics.snapshots``), and a page reads its rows by id;
users limited to their own records, and a list of another day, are computed live.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics import queries, snapshots
from samphan.analytics.models import CustomerActivity
from samphan.analytics.snapshots import BUILDERS, all_records_user
from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import sees_all_records

LISTS = {"expected": queries.expected_today, "overdue": queries.overdue_regulars}


def build_regulars_snapshot(name: str) -> dict[str, Any]:
    """Every regular on the list, in its order, and which of them are VIPs."""
    today = timezone.localdate()
    rows = LISTS[name](all_records_user(), today).values_list("customer_id", "customer__is_vip")
    found = list(rows)
    return {
        "day": today.isoformat(),
        "ids": [pk for pk, _vip in found],
        "vip_ids": [pk for pk, vip in found if vip],
    }


BUILDERS["regulars"] = build_regulars_snapshot


@dataclass
class RegularsPage:
    page: Page[Any]
    rows: list[CustomerActivity]  # the page's rows, annotated as the list's query does
    as_of: dt.datetime | None  # when the list was made; None: just now


def regulars_page(
    user: User,
    name: str,
    today: dt.date,
    *,
    vip: bool = False,
    number: int | str | None = 1,
    per_page: int = 25,
) -> RegularsPage:
    rows: QuerySet[CustomerActivity] = LISTS[name](user, today)
    if sees_all_records(user):
        data, as_of = snapshots.snapshot(f"regulars:{name}")
        if data["day"] == today.isoformat():
            page = Paginator(data["vip_ids" if vip else "ids"], per_page).get_page(number)
            ids = list(page.object_list)
            # Read again by id (their rowids): one who came since drops off the page.
            by_id = {row.customer_id: row for row in rows.filter(customer_id__in=ids)}
            return RegularsPage(page, [by_id[pk] for pk in ids if pk in by_id], as_of)
    if vip:
        rows = rows.filter(customer__is_vip=True)
    page = CappedPaginator(rows, per_page).get_page(number)
    return RegularsPage(page, list(page.object_list), None)
