"""The period's sums per customer group (tier, tag, RFM segment, industry, province) or
sales channel."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from samphan.accounts.models import User
from samphan.analytics import columns
from samphan.analytics.models import (
    CustomerRFM,
    RFMSegment,
)
from samphan.analytics.queries.paid import money, paid_in, ratio
from samphan.core import sql
from samphan.core.pagecache import SCAN_KIB, sqlite_page_cache
from samphan.core.periods import Period
from samphan.customers.models import Customer
from samphan.sales.models import ZERO, Order

# A temporary table of this connection holding the columns' per-customer sums, joined to
# a customer group (``grouped_from_sums``).
PER_TABLE = "analytics_period_sums"
PER_TABLE_CREATE = """
    CREATE TEMPORARY TABLE IF NOT EXISTS analytics_period_sums (customer_id bigint PRIMARY KEY,
        revenue double precision, profit double precision, orders bigint)
"""
# PostgreSQL empties it with TRUNCATE, not DELETE: DELETE's dead rows would slow each next
# use (docs/performance.md); and fills it by COPY.
PER_TABLE_TRUNCATE = "TRUNCATE analytics_period_sums"
PER_TABLE_COPY = "COPY analytics_period_sums FROM STDIN"
PER_TABLE_DELETE = "DELETE FROM analytics_period_sums"  # SQLite: emptied in one step
PER_TABLE_INSERT = "INSERT INTO analytics_period_sums VALUES (%s, %s, %s, %s)"


def grouped_from_sums(sums: columns.CustomerSums, group: str, by: str) -> list[tuple[Any, ...]]:
    """Each value of the group with its buyers' sums: the sums go into a temporary table
    of this connection, joined to the group as in ``ranked_by_sql``."""
    rows = list(columns.sums_rows(sums))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PER_TABLE_CREATE)
        if sql.is_postgresql():
            cursor.execute(PER_TABLE_TRUNCATE)
            with cursor.cursor.copy(PER_TABLE_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute(PER_TABLE_DELETE)
            cursor.executemany(PER_TABLE_INSERT, rows)
        # The measure is one of MEASURES.
        cursor.execute(f"{grouped_sql(group, f'{PER_TABLE} per')} ORDER BY {by} DESC, value")
        found: list[tuple[Any, ...]] = cursor.fetchall()
        return found


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
    found: list[tuple[Any, ...]], group: str, *, by: str, totals: dict[str, Decimal]
) -> list[GroupRow]:
    """Rows of (value, customers, orders, revenue, profit) as the page shows them."""
    labels = group_labels(group)
    return [
        GroupRow(
            value=value or "",
            label=str(labels.get(value, value)) if value else "–",
            customers=int(customers),
            orders=int(orders),
            revenue=money(revenue or 0),
            profit=money(profit or 0),
            share=ratio(money((revenue if by == "revenue" else profit) or 0), totals[by] or ZERO),
        )
        for value, customers, orders, revenue, profit in found
    ]


@sqlite_page_cache(SCAN_KIB)
def channel_rows_by_sql(user: User, period: Period | None, by: str) -> list[tuple[Any, ...]]:
    rows = (
        paid_in(user, period)
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


def grouped_sql(group: str, per: str) -> str:
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


def group_labels(group: str) -> dict[Any, Any]:
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
    return str(group_labels(group).get(value, value))
