"""One customer's figures: their week by hour, their roll-up, their lifetime revenue, whether
they are among the top customers."""

from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from samphan.analytics.models import CustomerActivity
from samphan.core import sql
from samphan.customers.models import Interaction
from samphan.sales.models import Order

ORDERS = Order._meta.db_table
INTERACTIONS = Interaction._meta.db_table


def _week_hours_sql() -> str:
    """A customer's coming days (their paid orders and visits) counted by weekday and hour
    of the day's first event; the local day and hour are spelt by ``core.sql``."""
    day, hour = sql.local_day("first_at"), sql.local_hour("first_at")
    return f"""
        WITH events AS (
            SELECT ordered_at AS at FROM {ORDERS}
            WHERE customer_id = %(customer)s AND status = %(paid)s
            UNION ALL
            SELECT occurred_at FROM {INTERACTIONS}
            WHERE customer_id = %(customer)s AND kind = %(visit)s
        ),
        days AS (SELECT MIN(at) AS first_at FROM events GROUP BY {sql.local_day("at")})
        SELECT {sql.weekday(day)}, {hour}, COUNT(*) FROM days GROUP BY 1, 2
    """  # noqa: S608 - the models' tables and core.sql's fragments


def customer_week_hours(customer_id: int) -> list[list[int]]:
    """Coming days of one customer by weekday (rows, Monday first) and hour of the day's
    first event (columns): read from their own orders and visits, a few hundred rows."""
    params: dict[str, int | str] = {
        "customer": customer_id,
        "paid": Order.Status.PAID,
        "visit": Interaction.Kind.VISIT,
    }
    grid = [[0] * 24 for _ in range(7)]
    with connection.cursor() as cursor:
        cursor.execute(_week_hours_sql(), params)
        for weekday, hour_of_day, count in cursor.fetchall():
            grid[int(weekday)][int(hour_of_day)] = count
    return grid


def activity_of(customer_id: int) -> CustomerActivity | None:
    """A customer's roll-up (the front desk's card reads their last visit and purchase)."""
    return CustomerActivity.objects.filter(customer_id=customer_id).first()


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
