"""The top-customer figures (who brings the most, their share, how concentrated the
measure is, the sums per customer group) through one entry point:
``figures(user, TopQuestion(...)) -> TopFigures`` and
``figures(user, GroupQuestion(...)) -> GroupFigures``. The top-customers page, the API
and the dashboard ask it, and get frozen dataclasses back.

Which engine answers, and how fresh its answer is, is decided here and nowhere else:

1. A snapshot (``analytics.snapshots``) when the question names its preset period
   (``preset``) and the user sees every record: such users all see the same figures, so
   the worker computes them and keeps them fresh while anyone looks. They lag new orders
   by at most ``snapshots.KEEP_FRESH_EVERY`` seconds plus the time to compute them; one
   older than ``snapshots.MAX_AGE`` (no worker) also queues a recomputation; only the
   first question for a snapshot is computed in line. ``computed_at`` says when they are
   of (the page shows it).
2. Otherwise computed now (``computed_at`` None). For a user who sees every record,
   outside a transaction, with the process's copy of the paid orders loaded and the
   period's bounds on whole seconds: from that copy (``analytics.columns``), which is
   exact, not a cache with an age (new orders are appended, a changed order reloads it).
3. Else by SQL over the orders the user may see (``analytics.queries``): users limited
   to their own records, inside a transaction, while the copy loads. Always current.

Engines 2 and 3 give the same numbers (``tests/analytics/test_columns.py``); engine 1
stores engine 2's answer as JSON (``_as_json``), the shape the snapshot table has held
since ``snapshots.FIGURES`` 2.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from django.utils import timezone

from samphan.accounts.models import User
from samphan.analytics import columns, snapshots
from samphan.analytics.queries import (
    GROUPS,
    MEASURES,
    GroupRow,
    Share,
    TopRow,
    channel_rows_by_sql,
    group_label,
    group_rows,
    grouped_from_sums,
    period_totals,
    ranked_by_sql,
    top_and_share_of,
)
from samphan.core import periods
from samphan.core.periods import Period
from samphan.core.permissions import sees_all_records

__all__ = [
    "GroupFigures",
    "GroupQuestion",
    "GroupRow",
    "Share",
    "TopFigures",
    "TopQuestion",
    "TopRow",
    "columns_for",
    "figures",
]


@dataclass(frozen=True)
class TopQuestion:
    """What is asked: the period's customers ranked ``by`` a measure, the first ``limit``
    of them (0: the share figures alone), and the sums per customer ``group`` (a key of
    ``queries.GROUPS``, "" for none)."""

    period: Period
    by: str = "revenue"
    limit: int = 10
    group: str = ""
    # The preset the period was chosen by ("this_month"): a snapshot may answer (engine 1).
    # Empty for custom dates, and for callers that always want figures computed now.
    preset: str = ""

    def __post_init__(self) -> None:
        if self.by not in MEASURES or (self.group and self.group not in GROUPS):
            raise ValueError((self.by, self.group))


@dataclass(frozen=True)
class TopFigures:
    """The answer: the period (a snapshot's own, which may be a day older than today's),
    the top rows, the share figures, the group rows largest first, and when a snapshot's
    figures were computed (None: just now)."""

    period: Period
    by: str
    rows: tuple[TopRow, ...]
    share: Share
    groups: tuple[GroupRow, ...]
    computed_at: dt.datetime | None = None


@dataclass(frozen=True)
class GroupQuestion:
    """The period's sums per customer ``group`` (or sales channel) alone, without ranking
    the customers; shares of the period's totals. Always computed now (engine 2 or 3)."""

    period: Period
    group: str
    by: str = "revenue"

    def __post_init__(self) -> None:
        if self.by not in MEASURES or self.group not in GROUPS:
            raise ValueError((self.group, self.by))


@dataclass(frozen=True)
class GroupFigures:
    period: Period
    by: str
    group: str
    rows: tuple[GroupRow, ...]


@overload
def figures(user: User, question: TopQuestion) -> TopFigures: ...
@overload
def figures(user: User, question: GroupQuestion) -> GroupFigures: ...
def figures(user: User, question: TopQuestion | GroupQuestion) -> TopFigures | GroupFigures:
    """The figures ``question`` asks for, of the orders ``user`` may see (see the module's
    docstring for which engine answers)."""
    if isinstance(question, GroupQuestion):
        totals = period_totals(user, question.period)
        rows = _groups(user, question.period, question.group, question.by, totals)
        return GroupFigures(question.period, question.by, question.group, tuple(rows))
    if question.preset and question.preset != periods.CUSTOM and sees_all_records(user):
        data, computed_at = snapshots.snapshot(_snapshot_key(question))
        return _from_json(data, question, computed_at)
    return _compute(user, question)


def _compute(user: User, question: TopQuestion) -> TopFigures:
    period, by, limit, group = question.period, question.by, question.limit, question.group
    if group and group != "channel":  # ranks and groups from one pass over the orders
        ranks, grouped = _ranked(user, period, by=by, limit=limit, group=group)
        rows, share = top_and_share_of(ranks, by=by, limit=limit)
        groups = group_rows(grouped, group, by=by, totals=_totals(share))
    else:
        ranks = _ranked(user, period, by=by, limit=limit)[0]
        rows, share = top_and_share_of(ranks, by=by, limit=limit)
        groups = _groups(user, period, group, by, _totals(share)) if group else []
    return TopFigures(period, by, tuple(rows), share, tuple(groups))


def _totals(share: Share) -> dict[str, Decimal]:
    return {"revenue": share.revenue, "profit": share.profit}


# -- Engines 2 and 3: the columns in memory or SQL -------------------------------------------

Bounds = tuple[dt.datetime | None, dt.datetime | None]


def columns_for(
    user: User, period: Period | None
) -> tuple[columns.PaidOrders | None, Bounds | None]:
    """The paid orders' columns and the period's bounds, when they answer for this user:
    one who sees every record, outside a transaction, the copy loaded, the bounds on whole
    seconds (the columns hold order times in whole seconds)."""
    if not sees_all_records(user) or not columns.usable():
        return None, None
    bounds: Bounds = (None, None) if period is None else (period.start, period.end)
    if any(moment and moment.timestamp() % 1 for moment in bounds):
        return None, None
    return columns.paid_orders(), bounds


def _ranked(
    user: User, period: Period | None, *, by: str, limit: int | None, group: str = ""
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The period's customers ranked (the first ``limit`` and the first rank to reach each
    whole percent of customers: ``queries.is_mark``), and with a customer ``group`` its
    values with their buyers' sums: from the columns or by SQL (``queries.ranked_by_sql``
    describes the rows)."""
    copy, bounds = columns_for(user, period)
    if copy is None or bounds is None:
        return ranked_by_sql(user, period, by=by, limit=limit, group=group)
    sums = columns.per_customer(copy, *bounds)
    ranks = columns.ranks(sums, by=by, limit=limit) if limit is not None else []
    return ranks, grouped_from_sums(sums, group, by) if group else []


def _groups(
    user: User, period: Period | None, group: str, by: str, totals: dict[str, Decimal]
) -> list[GroupRow]:
    """The period's sums per customer group, largest first. A group of customers (tier,
    tag, segment, industry, province) sums each buyer's sums, so each buyer is joined to
    their group once, not each of their orders; the sales channel belongs to the order, so
    it is summed over the orders."""
    if group == "channel":
        found = _channel_rows(user, period, by)
    else:
        found = _ranked(user, period, by=by, limit=None, group=group)[1]
    return group_rows(found, group, by=by, totals=totals)


def _channel_rows(user: User, period: Period | None, by: str) -> list[tuple[Any, ...]]:
    copy, bounds = columns_for(user, period)
    if copy is None or bounds is None:
        return channel_rows_by_sql(user, period, by)
    return columns.channel_rows(copy, *bounds, by=by)


# -- Engine 1: the snapshot, as JSON ---------------------------------------------------------


def _snapshot_key(question: TopQuestion) -> str:
    return f"top:{question.preset}:{question.by}:{question.limit}:{question.group}"


def build_snapshot(argument: str) -> dict[str, Any]:
    """The figures of a preset period for everyone who sees all records: ``argument`` is
    what ``_snapshot_key`` wrote after "top:"."""
    preset, by, limit, group = argument.split(":")
    question = TopQuestion(
        periods.preset_period(preset, timezone.localdate()),
        by=by,
        limit=int(limit),
        group=group,
    )
    return _as_json(_compute(snapshots.all_records_user(), question))


snapshots.BUILDERS["top"] = build_snapshot


def _as_json(result: TopFigures) -> dict[str, Any]:
    """The figures JSON-safe (money as text), as the snapshot table keeps them. Group
    labels are left out (they are translated when read)."""
    share = result.share
    return {
        "since": result.period.since.isoformat(),
        "until": result.period.until.isoformat(),
        "rows": [
            {
                "rank": row.rank,
                "customer_id": row.customer_id,
                "name": row.name,
                "is_vip": row.is_vip,
                "revenue": str(row.revenue),
                "profit": str(row.profit),
                "orders": row.orders,
                "share": row.share,
                "cumulative_share": row.cumulative_share,
            }
            for row in result.rows
        ],
        "share": {
            "customers": share.customers,
            "revenue": str(share.revenue),
            "profit": str(share.profit),
            "concentration": {str(key): value for key, value in share.concentration.items()},
            "concentration_customers": {
                str(key): value for key, value in share.concentration_customers.items()
            },
            "gini": share.gini,
            "pareto": share.pareto,
        },
        "groups": [
            {
                "value": row.value,
                "customers": row.customers,
                "orders": row.orders,
                "revenue": str(row.revenue),
                "profit": str(row.profit),
                "share": row.share,
            }
            for row in result.groups
        ],
    }


def _from_json(data: dict[str, Any], question: TopQuestion, computed_at: dt.datetime) -> TopFigures:
    """A snapshot's figures typed again. A snapshot made before the counts behind the
    concentration were kept has none (and perhaps fewer percents)."""
    share = data["share"]
    return TopFigures(
        period=Period(dt.date.fromisoformat(data["since"]), dt.date.fromisoformat(data["until"])),
        by=question.by,
        rows=tuple(
            TopRow(**{**row, "revenue": Decimal(row["revenue"]), "profit": Decimal(row["profit"])})
            for row in data["rows"]
        ),
        share=Share(
            customers=share["customers"],
            revenue=Decimal(share["revenue"]),
            profit=Decimal(share["profit"]),
            concentration={int(key): value for key, value in share["concentration"].items()},
            pareto=[(x, y) for x, y in share["pareto"]],
            concentration_customers={
                int(key): value
                for key, value in (share.get("concentration_customers") or {}).items()
            },
            gini=share.get("gini"),
        ),
        groups=tuple(
            GroupRow(
                value=row["value"],
                label=group_label(question.group, row["value"]),
                customers=row["customers"],
                orders=row["orders"],
                revenue=Decimal(row["revenue"]),
                profit=Decimal(row["profit"]),
                share=row["share"],
            )
            for row in data["groups"]
        ),
        computed_at=computed_at,
    )
