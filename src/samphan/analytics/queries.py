"""The analyses, as reads. Every one takes the user and goes through ``visible_to``: a rep
limited to their own records sees their own figures."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, QuerySet, Sum
from django.db.models.expressions import RawSQL

from samphan.analytics import columns
from samphan.analytics.cadence import (
    MIN_DAYS,
    OVERDUE_FACTOR,
    OVERDUE_MIN_EXTRA_DAYS,
    USUAL_SHARE,
)
from samphan.analytics.models import (
    CHI_SQUARE_6_AT_1_PERCENT,
    WEEKDAYS,
    CustomerActivity,
    CustomerRFM,
    RFMSegment,
)
from samphan.core import sql
from samphan.core.money import to_baht
from samphan.core.pagecache import SCAN_KIB, sqlite_page_cache
from samphan.core.periods import Period
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer
from samphan.sales.models import ZERO, Order

MEASURES = ("revenue", "profit")
# "The top 1% / 5% / … of customers bring …": the top ⌈n% × N⌉ customers of the N who bought.
CONCENTRATION = (1, 5, 10, 20, 50, 80, 100)


# -- Top customers and their share -----------------------------------------------------------


@dataclass(frozen=True)
class TopRow:
    rank: int
    customer_id: int
    name: str
    is_vip: bool
    revenue: Decimal
    profit: Decimal
    orders: int
    share: float  # of the period's total of the measure
    cumulative_share: float


@dataclass(frozen=True)
class Share:
    customers: int  # with a paid order in the period
    revenue: Decimal
    profit: Decimal
    concentration: dict[int, float]  # percent of customers → the top ⌈n% × N⌉'s share
    pareto: list[tuple[float, float]]  # (percent of customers, cumulative share), ≤ 101
    concentration_customers: dict[int, int] = field(default_factory=dict)  # ⌈n% × N⌉
    gini: float | None = None  # of the measure over the customers who bought; None: no total


def _paid_in(user: Any, period: Period | None) -> QuerySet[Order]:
    orders = Order.objects.visible_to(user).filter(status=Order.Status.PAID)
    if period is not None:
        orders = orders.filter(ordered_at__gte=period.start, ordered_at__lt=period.end)
    return orders


def _per_customer(user: Any, period: Period | None) -> QuerySet[Any, Any]:
    return (
        _paid_in(user, period)
        .order_by()
        .values("customer_id")
        # Float sums: a decimal output would have SQLite cast each buyer's sums (0.25 s
        # at a million customers); the caller turns them back into baht.
        .annotate(
            revenue=Sum("revenue", output_field=FloatField()),
            profit=Sum("profit", output_field=FloatField()),
            orders=Count("id"),
        )
    )


def period_totals(user: Any, period: Period | None) -> dict[str, Decimal]:
    """The period's paid revenue and profit, of the orders the user may see."""
    totals = _paid_in(user, period).aggregate(revenue=Sum("revenue"), profit=Sum("profit"))
    return {key: value or ZERO for key, value in totals.items()}


PER_TABLE = "analytics_period_sums"


def grouped_from_sums(sums: columns.CustomerSums, group: str, by: str) -> list[tuple]:
    """Each value of the group with its buyers' sums: the sums go into a temporary table
    of this connection, joined to the group as in ``ranked_by_sql``."""
    rows = list(columns.sums_rows(sums))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {PER_TABLE} (customer_id bigint PRIMARY KEY, "
            "revenue double precision, profit double precision, orders bigint)"
        )
        if connection.vendor == "postgresql":
            # Not DELETE: its dead rows would slow each next use (0.62 → 0.95 s measured).
            cursor.execute(f"TRUNCATE {PER_TABLE}")
            with cursor.cursor.copy(f"COPY {PER_TABLE} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute(f"DELETE FROM {PER_TABLE}")  # noqa: S608 - emptied in one step
            cursor.executemany(f"INSERT INTO {PER_TABLE} VALUES (%s, %s, %s, %s)", rows)  # noqa: S608
        cursor.execute(f"{_grouped_sql(group, f'{PER_TABLE} per')} ORDER BY {by} DESC, value")
        return cursor.fetchall()


@sqlite_page_cache(SCAN_KIB)
def ranked_by_sql(
    user: Any, period: Period | None, *, by: str, limit: int | None, group: str = ""
) -> tuple[list[tuple], list[tuple]]:
    """One statement over the period's per-customer sums (summed once, materialised).

    Unless ``limit`` is None: the customers ranked by the measure with a running sum, the
    period's totals and the sum of every rank's running sum (the area under the Lorenz
    curve, for the Gini index): the first ``limit`` ranks and the first rank to reach each
    whole percent of customers (the Pareto curve's points, see ``is_mark``). With a
    customer ``group``: each of its values with its buyers' sums summed (one join a buyer,
    not one an order).

    The totals are a plain aggregate of the sums, not window sums over the whole ranking,
    which SQLite would buffer a second time.
    """
    inner, params = _per_customer(user, period).query.sql_with_params()
    steps = [
        f"per AS MATERIALIZED ({inner})",
        "totals AS (SELECT COUNT(*) AS k, SUM(revenue) AS revenue, SUM(profit) AS profit FROM per)",
        f"""ranked AS (
            SELECT customer_id, revenue, profit, orders,
                ROW_NUMBER() OVER ranking AS n, SUM({by}) OVER ranking AS running
            FROM per
            WINDOW ranking AS (ORDER BY {by} DESC, customer_id ROWS UNBOUNDED PRECEDING)
        )""",  # noqa: S608 - the measure is one of MEASURES
    ]
    parts = []
    if limit is not None:
        # Read twice (the marks, the area): both databases materialise ``ranked`` once.
        steps.append("lorenz AS (SELECT SUM(running) AS area FROM ranked)")
        parts.append("""
            SELECT 0 AS part, n, k, running, customer_id, ranked.revenue AS revenue,
                ranked.profit AS profit, orders, totals.revenue AS all_revenue,
                totals.profit AS all_profit, area, NULL AS value
            FROM ranked, totals, lorenz
            WHERE n <= %s OR n = k OR (n * 100) / k <> ((n - 1) * 100) / k""")
        params = (*params, limit)
    if group:
        steps.append(f"grouped AS ({_grouped_sql(group, 'per')})")
        parts.append("""
            SELECT 1 AS part, NULL AS n, customers AS k, NULL AS running, NULL AS customer_id,
                revenue, profit, orders, NULL AS all_revenue, NULL AS all_profit, NULL AS area,
                value
            FROM grouped""")
    order = f"ORDER BY part, n, {by} DESC, value"  # the measure is one of MEASURES
    statement = f"WITH {', '.join(steps)} {' UNION ALL '.join(parts)} {order}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    ranks = [row[1:11] for row in found if row[0] == 0]
    return ranks, [(row[11], row[2], row[7], row[5], row[6]) for row in found if row[0] == 1]


def top_and_share_of(found: list[tuple], *, by: str, limit: int) -> tuple[list[TopRow], Share]:
    """The top rows and the share figures from the ranks (``ranked_by_sql`` or
    ``columns.ranks``)."""
    first = found[0] if found else None
    totals = {
        "revenue": _money(first[7]) if first else ZERO,
        "profit": _money(first[8]) if first else ZERO,
    }
    total = totals[by] or ZERO
    top = [row for row in found if row[0] <= limit]
    customers = Customer.objects.in_bulk([row[3] for row in top])
    rows = [
        TopRow(
            rank=n,
            customer_id=customer_id,
            name=customers[customer_id].display_name,
            is_vip=customers[customer_id].is_vip,
            revenue=_money(revenue),
            profit=_money(profit),
            orders=int(orders),
            share=_ratio(_money(revenue if by == "revenue" else profit), total),
            cumulative_share=_ratio(_money(running), total),
        )
        for n, _, running, customer_id, revenue, profit, orders, *_ in top
    ]
    marks = [(n, k, running) for n, k, running, *_ in found if is_mark(n, k)]
    area = first[9] if first else None
    return rows, _share(marks, totals, total, area)


def is_mark(n: int, k: int) -> bool:
    """Whether rank ``n`` of ``k`` is the first to reach a whole percent of customers:
    ⌈p × k / 100⌉ for some whole p, that is 100(n − 1)/k < p ≤ 100n/k. The same test is
    in ``ranked_by_sql`` and ``columns.ranks``."""
    return n * 100 // k != (n - 1) * 100 // k


def top_count(percent: int, customers: int) -> int:
    """How many customers "the top ``percent``%" is: ⌈percent × customers / 100⌉, so at
    least one when anyone bought (the top 1% of 1,301 is 14)."""
    return -(-customers * percent // 100)


def _share(
    marks: list[tuple[int, int, Any]],
    totals: dict[str, Decimal],
    total: Decimal,
    area: Any = None,
) -> Share:
    customers = marks[-1][1] if marks else 0
    running_at = {n: _ratio(_money(running), total) for n, _, running in marks}
    pareto = [(0.0, 0.0)] + [(round(100 * n / k, 2), running_at[n]) for n, k, _ in marks]
    counts = {percent: top_count(percent, customers) for percent in CONCENTRATION}
    return Share(
        customers=customers,
        revenue=totals["revenue"] or ZERO,
        profit=totals["profit"] or ZERO,
        concentration={p: running_at.get(count, 0.0) for p, count in counts.items()},
        pareto=pareto,
        concentration_customers=counts,
        gini=gini(area, customers, total),
    )


def gini(area: Any, customers: int, total: Decimal) -> float | None:
    """The Gini index of the measure over the customers, from the area under their
    cumulative curve: with S_n the share of the top n of N, G = 2 × Σ S_n / N − 1 − 1/N,
    the same as Σ_i Σ_j |x_i − x_j| / (2 N² × mean): 0 when every customer brings the
    same, (N − 1)/N when one brings everything. None without a positive total."""
    if area is None or not customers or total <= 0:
        return None
    lorenz = float(area) / float(total)  # Σ S_n
    return round(2 * lorenz / customers - 1 - 1 / customers, 4)


def _money(value: Any) -> Decimal:
    """A sum as the database returns it (a float on SQLite) in baht."""
    return to_baht(Decimal(str(value)))


def _ratio(part: Decimal, whole: Decimal) -> float:
    return round(float(part / whole), 4) if whole else 0.0


# -- Top groups -----------------------------------------------------------------------------

# What a customer group is, as the path from an order to the value that names it.
GROUPS: dict[str, str] = {
    "tier": "customer__tier",
    "tag": "customer__tags__name",  # a customer with two tags counts in both
    "segment": "customer__rfm__segment",
    "industry": "customer__industry",
    "province": "customer__province",
    "channel": "channel",
}


@dataclass(frozen=True)
class GroupRow:
    value: str  # the stored value ("" for none)
    label: str
    customers: int
    orders: int
    revenue: Decimal
    profit: Decimal
    share: float  # of the period's total of the measure (tags may add up to more than 1)


def group_rows(
    found: list[tuple], group: str, *, by: str, totals: dict[str, Decimal]
) -> list[GroupRow]:
    """Rows of (value, customers, orders, revenue, profit) as the page shows them."""
    labels = _group_labels(group)
    return [
        GroupRow(
            value=value or "",
            label=str(labels.get(value, value)) if value else "–",
            customers=int(customers),
            orders=int(orders),
            revenue=_money(revenue or 0),
            profit=_money(profit or 0),
            share=_ratio(_money((revenue if by == "revenue" else profit) or 0), totals[by] or ZERO),
        )
        for value, customers, orders, revenue, profit in found
    ]


@sqlite_page_cache(SCAN_KIB)
def channel_rows_by_sql(user: Any, period: Period | None, by: str) -> list[tuple]:
    rows = (
        _paid_in(user, period)
        .order_by()
        .values("channel")
        .annotate(
            customers=Count("customer_id", distinct=True),
            orders=Count("id"),
            revenue=Sum("revenue"),
            profit=Sum("profit"),
        )
        .order_by(f"-{by}", "channel")
    )
    return [
        (row["channel"], row["customers"], row["orders"], row["revenue"], row["profit"])
        for row in rows
    ]


def _grouped_sql(group: str, per: str) -> str:
    """Each value of the group with its buyers' sums summed, from per-customer sums
    (``per``: a table or a CTE named ``per``; columns customer_id, revenue, profit,
    orders): one join a buyer, not one an order."""
    value, joins = _group_value(group)
    return f"""SELECT {value} AS value, COUNT(*) AS customers, SUM(per.orders) AS orders,
            SUM(per.revenue) AS revenue, SUM(per.profit) AS profit
        FROM {per} {joins}
        GROUP BY {value}"""  # noqa: S608 - names from the models


def _group_value(group: str) -> tuple[str, str]:
    """Where a buyer's group is found: the value's expression and the joins from ``per``
    (left joins where a buyer may have none: untagged, not yet scored)."""
    if group == "tag":
        tags = Customer.tags.rel.model._meta.db_table
        through = Customer.tags.through._meta.db_table
        return "tag.name", (
            f"LEFT JOIN {through} tagged ON tagged.customer_id = per.customer_id "
            f"LEFT JOIN {tags} tag ON tag.id = tagged.tag_id"
        )
    if group == "segment":
        return "rfm.segment", (
            f"LEFT JOIN {CustomerRFM._meta.db_table} rfm ON rfm.customer_id = per.customer_id"
        )
    column = GROUPS[group].removeprefix("customer__")  # a column of the customer
    return f"customer.{column}", (
        f"JOIN {Customer._meta.db_table} customer ON customer.id = per.customer_id"
    )


def _group_labels(group: str) -> dict[Any, Any]:
    choices = {
        "tier": Customer.Tier.choices,
        "segment": RFMSegment.choices,
        "industry": Customer.Industry.choices,
        "channel": Order.Channel.choices,
    }
    return dict(choices.get(group, []))


def group_label(group: str, value: str) -> str:
    """A group's name in the page's language (a tag or province is its own name)."""
    if not value:
        return "–"
    return str(_group_labels(group).get(value, value))


# -- Who is expected today, who is overdue ---------------------------------------------------


def _activity_of_visible(user: Any) -> QuerySet[CustomerActivity]:
    # A join to each qualifying row's customer, not "IN (the visible customers)": SQLite
    # would first collect a million ids for someone who sees them all.
    activity = CustomerActivity.objects.filter(customer__archived_at__isnull=True)
    if not sees_all_records(user):
        activity = activity.filter(customer__in=Customer.objects.visible_to(user))
    return activity.select_related("customer")


def _column(name: str) -> str:
    return f"{CustomerActivity._meta.db_table}.{name}"


def _since_last(today: dt.date) -> str:
    return sql.days_between(_date_literal(today), _column("last_day"))


def _mean_interval() -> str:
    span = sql.days_between(_column("last_day"), _column("first_day"))
    return f"(1.0 * {span} / ({_column('days')} - 1))"


def _overdue_limit(mean: str) -> str:
    factor, extra = OVERDUE_FACTOR, OVERDUE_MIN_EXTRA_DAYS
    return (
        f"(CASE WHEN {factor} * {mean} > {mean} + {extra} "
        f"THEN {factor} * {mean} ELSE {mean} + {extra} END)"
    )


def _date_literal(day: dt.date) -> str:
    # A date this module made, never input: safe to write into the statement.
    literal = f"'{day.isoformat()}'"
    return f"CAST({literal} AS date)" if connection.vendor == "postgresql" else literal


def _raw(expression: str) -> RawSQL:
    return RawSQL(expression, [])  # noqa: S611 - built from column names and literals


def expected_today(user: Any, today: dt.date) -> QuerySet[CustomerActivity]:
    """Regulars whose usual weekday is today's and who have not lapsed: at least
    ``MIN_DAYS`` coming days, a week uneven by the chi-square test, today's weekday holding
    at least 40% of their days, gone at least half their usual interval (someone who
    comes every ten weeks and came last week is not due) and not past their overdue
    limit. Most likely
    first (today's weekday share), then the most regular."""
    days = _column("days")
    squares = " + ".join(f"{_column(f'weekday_{d}')} * {_column(f'weekday_{d}')}" for d in range(7))
    since = _since_last(today)
    return (
        _activity_of_visible(user)
        .filter(days__gte=MIN_DAYS)
        .annotate(
            likelihood=_raw(f"1.0 * {_column(f'weekday_{today.weekday()}')} / {days}"),
            unevenness=_raw(f"7.0 * ({squares}) / {days} - {days}"),
            since_last=_raw(since),
            due_after=_raw(
                f"MAX(1, 0.5 * {_mean_interval()})"
                if connection.vendor == "sqlite"
                else f"GREATEST(1, 0.5 * {_mean_interval()})"
            ),
            lapsed_after=_raw(_overdue_limit(_mean_interval())),
        )
        .filter(
            likelihood__gte=USUAL_SHARE,
            unevenness__gt=CHI_SQUARE_6_AT_1_PERCENT,
            since_last__gte=F("due_after"),
            since_last__lte=F("lapsed_after"),
        )
        .order_by("-likelihood", "-days", "customer_id")
    )


def overdue_regulars(user: Any, today: dt.date) -> QuerySet[CustomerActivity]:
    """Regulars (``MIN_DAYS`` coming days or more) whose gap since the last one is well
    beyond their own usual interval, but less than a year: churn risk, worth a call.
    The most valuable first."""
    return (
        _activity_of_visible(user)
        .filter(days__gte=MIN_DAYS)
        .annotate(
            since_last=_raw(_since_last(today)),
            usual_interval=_raw(_mean_interval()),
            overdue_after=_raw(_overdue_limit(_mean_interval())),
        )
        .filter(since_last__gt=F("overdue_after"), since_last__lte=365)
        .order_by(F("revenue").desc(nulls_last=True), "customer_id")
    )


def customer_week_hours(customer_id: int) -> list[list[int]]:
    """Coming days of one customer by weekday (rows, Monday first) and hour of the day's
    first event (columns): read from their own orders and visits, a few hundred rows."""
    day, hour = sql.local_day("first_at"), sql.local_hour("first_at")
    statement = f"""
        WITH events AS (
            SELECT ordered_at AS at FROM {Order._meta.db_table}
            WHERE customer_id = %(customer)s AND status = %(paid)s
            UNION ALL
            SELECT occurred_at FROM customers_interaction
            WHERE customer_id = %(customer)s AND kind = 'visit'
        ),
        days AS (SELECT MIN(at) AS first_at FROM events GROUP BY {sql.local_day("at")})
        SELECT {sql.weekday(day)}, {hour}, COUNT(*) FROM days GROUP BY 1, 2
    """  # noqa: S608 - no input in the names
    grid = [[0] * 24 for _ in range(7)]
    with connection.cursor() as cursor:
        cursor.execute(statement, {"customer": customer_id, "paid": Order.Status.PAID})
        for weekday, hour_of_day, count in cursor.fetchall():
            grid[int(weekday)][int(hour_of_day)] = count
    return grid


def activity_of(customer_id: int) -> CustomerActivity | None:
    """A customer's roll-up (the front desk's card reads their last visit and purchase)."""
    return CustomerActivity.objects.filter(customer_id=customer_id).first()


def lifetime_revenue(customer_ids: list[int]) -> dict[int, Decimal]:
    """Each customer's net spend from the roll-up (loyalty earns points on it); customers
    who never bought are left out."""
    rows = CustomerActivity.objects.filter(customer_id__in=customer_ids)
    return dict(rows.values_list("customer_id", "revenue"))


TOP_THRESHOLD_SECONDS = 300


def in_top_by_revenue(customer_id: int, count: int) -> bool:
    """Whether the customer is among the ``count`` customers with the most revenue ever.

    The ``count``-th revenue is found once every five minutes per process (a sort of
    every customer: no index on revenue, see ``CustomerActivity``), and each customer is
    then compared with it."""
    key = f"analytics:top-revenue:{count}"
    threshold = cache.get(key)
    if threshold is None:
        found = (
            CustomerActivity.objects.filter(revenue__gt=0)
            .order_by("-revenue")
            .values_list("revenue", flat=True)[count - 1 : count]
        )
        # Fewer buyers than ``count``: every buyer is in the top.
        threshold = found[0] if found else Decimal("0.01")
        cache.set(key, threshold, TOP_THRESHOLD_SECONDS)
    return CustomerActivity.objects.filter(customer_id=customer_id, revenue__gte=threshold).exists()


# -- For segments (marketing): who matches, as subqueries of customer ids -------------------


def usual_weekday_customer_ids(weekdays: list[int]) -> QuerySet[Any]:
    """Customers who usually come on one of ``weekdays`` (Monday = 0), by the same test
    as their cadence panel, kept in their roll-up's ``usual_weekdays`` bits: each bit
    pattern a customer can have that holds one of these weekdays, looked up in its index.
    A customer has at most two usual weekdays (each holds 40% of the days): listing only
    those patterns (7 for one weekday, not 64) is what lets SQLite choose the index."""
    chosen = sum(1 << day for day in set(weekdays))
    most = int(1 / USUAL_SHARE)
    patterns = [
        bits for bits in range(1, 1 << len(WEEKDAYS)) if bits & chosen and bits.bit_count() <= most
    ]
    return CustomerActivity.objects.filter(usual_weekdays__in=patterns).values("customer_id")


def rfm_segment_customer_ids(segments: list[str]) -> QuerySet[Any]:
    return CustomerRFM.objects.filter(segment__in=segments).values("customer_id")


def period_buyer_ids(
    since: dt.datetime,
    *,
    measure: str,
    at_least: Decimal | None = None,
    above: Decimal | None = None,
    table: str,
) -> tuple[str, list[Any]] | None:
    """Customers whose paid orders since ``since`` sum (``measure`` "revenue") or count
    ("orders") to ``at_least`` or more / more than ``above``, from the process's columns
    (a ``bincount`` instead of grouping the period's orders by customer in SQL: 1.3 s at a
    million customers on SQLite). Returns the SQL that selects their ids and its
    parameters, or None while the columns cannot be used (inside a transaction, or
    loading): then the caller asks the orders by SQL.

    PostgreSQL takes the ids as one array parameter; SQLite, which has no arrays, reads
    them from the temporary table ``table`` of this connection (on PostgreSQL a temporary
    table took 150-430 ms to fill at a million customers, and a query that reads one
    cannot run in parallel)."""
    if not columns.usable():
        return None
    copy = columns.paid_orders()
    if copy is None:
        return None
    sums = columns.per_customer(copy, since, None)
    figure = sums.revenue if measure == "revenue" else sums.orders.astype(float)
    # Sums of two-decimal amounts in floating point: half a satang either way is exact.
    if at_least is not None:
        chosen = sums.customer[figure >= float(at_least) - 0.005]
    else:
        chosen = sums.customer[figure > float(above or 0) + 0.005]
    ids = chosen.tolist()
    if connection.vendor == "postgresql":
        # As the array's text: psycopg adapting a list of 160,000 ints took 90 ms more.
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    with connection.cursor() as cursor:
        # The id as the rowid: one B-tree to fill, not a table and its index (60 -> 30 ms).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (customer_id INTEGER PRIMARY KEY)"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a name of ours
        # One statement for all the ids: a row at a time (executemany, each its own
        # implicit transaction) took 1.9 s for 157,000 customers.
        cursor.execute(
            f"INSERT INTO {table} SELECT value FROM json_each(%s)",  # noqa: S608
            [json.dumps(ids)],
        )
    return f"SELECT customer_id FROM {table}", []  # noqa: S608
