"""Top customers and their share: the period's customers ranked by a measure, the Pareto
curve, concentration and the Gini index, by SQL (the columns in memory give the same
ranks: ``analytics.columns.ranks``; ``analytics.figures`` chooses)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from samphan.accounts.models import User
from samphan.analytics.queries.groups import grouped_sql
from samphan.analytics.queries.paid import money, per_customer, ratio
from samphan.core.pagecache import SCAN_KIB, sqlite_page_cache
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.sales.models import ZERO

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


@sqlite_page_cache(SCAN_KIB)
def ranked_by_sql(
    user: User, period: Period | None, *, by: str, limit: int | None, group: str = ""
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
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
    inner, params = per_customer(user, period).query.sql_with_params()
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
        steps.append(f"grouped AS ({grouped_sql(group, 'per')})")
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


def top_and_share_of(
    found: list[tuple[Any, ...]], *, by: str, limit: int
) -> tuple[list[TopRow], Share]:
    """The top rows and the share figures from the ranks (``ranked_by_sql`` or
    ``columns.ranks``)."""
    first = found[0] if found else None
    totals = {
        "revenue": money(first[7]) if first else ZERO,
        "profit": money(first[8]) if first else ZERO,
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
            revenue=money(revenue),
            profit=money(profit),
            orders=int(orders),
            share=ratio(money(revenue if by == "revenue" else profit), total),
            cumulative_share=ratio(money(running), total),
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
    running_at = {n: ratio(money(running), total) for n, _, running in marks}
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
