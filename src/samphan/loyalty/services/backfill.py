"""The ledger for orders written without it, in set-based SQL: the demo's orders (written
as plain rows) and, once, every order from before the ledger (migration 0003). Plain SQL
on the tables, not the models, so that the migration keeps working as the models change.

Each paid order earns at the base rate (no rules: they are for orders from now on),
counted in whole satang so that the division is exact on both databases.
"""

import json
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from samphan.core import sql


def _expiry(day: str, expiry: str, months: int) -> str:
    """The expiry date of points earned on ``day`` (a date expression)."""
    if expiry == "never":
        return "NULL"
    if expiry == "year_end":
        return sql.pick(
            postgresql=f"make_date(CAST(EXTRACT(YEAR FROM {day}) AS integer) + 1, 12, 31)",
            sqlite=f"date({day}, 'start of year', '+2 years', '-1 day')",
        )
    # Months later, on the same day or the month's last (31 January + 1 month: 28 February).
    return sql.pick(
        postgresql=f"CAST({day} + make_interval(months => {months:d}) AS date)",
        sqlite=(
            f"min(date({day}, 'start of month', '+{months:d} months', "
            f"'+' || (CAST(strftime('%%d', {day}) AS integer) - 1) || ' days'), "
            f"date({day}, 'start of month', '+{months + 1:d} months', '-1 day'))"
        ),
    )


def ledger_fill(
    *, per: Decimal, expiry: str, months: int, programme: int | None, from_customer_id: int = 0
) -> int:
    """An earn row for every paid order (of customers from ``from_customer_id``) that has
    none, then those customers' balances; returns how many rows were written."""
    cents = int(per * 100)
    day = sql.local_day("o.ordered_at")
    basis = json.dumps({"per": f"{per.normalize():f}", "programme": programme})
    points = "(CAST(ROUND(o.revenue * 100) AS bigint) / %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loyalty_pointsentry (customer_id, kind, cause, points, order_id, "  # noqa: S608 - expressions built here
            "expires_on, basis, key, note, at, created_by_id) "
            f"SELECT o.customer_id, 'earn', 'order', {points}, o.id, {_expiry(day, expiry, months)}, "
            f"%s, 'order:' || o.id || ':1', o.number, o.ordered_at, NULL FROM sales_order o "
            f"WHERE o.status = 'paid' AND o.revenue * 100 >= %s AND o.customer_id >= %s "
            "AND NOT EXISTS (SELECT 1 FROM loyalty_pointsentry e WHERE e.order_id = o.id)",
            [cents, basis, cents, from_customer_id],
        )
        written = int(cursor.rowcount)
    members_fill(from_customer_id)
    return written


def members_fill(from_customer_id: int = 0) -> None:
    """Each balance (from ``from_customer_id``) set to the sum of the member's rows."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loyalty_member (customer_id, points, updated_at) "
            "SELECT customer_id, SUM(points), %s FROM loyalty_pointsentry "
            "WHERE customer_id >= %s GROUP BY customer_id "
            "ON CONFLICT (customer_id) DO UPDATE SET points = excluded.points",
            [now, from_customer_id],
        )
