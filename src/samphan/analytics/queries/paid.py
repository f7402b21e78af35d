"""The paid orders of a period as a user may see them, their per-customer sums and totals,
and money as the analyses return it."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, FloatField, QuerySet, Sum

from samphan.accounts.models import User
from samphan.core.money import to_baht
from samphan.core.periods import Period
from samphan.sales.models import ZERO, Order


def paid_in(user: User, period: Period | None) -> QuerySet[Order]:
    orders = Order.objects.visible_to(user).filter(status=Order.Status.PAID)
    if period is not None:
        orders = orders.filter(ordered_at__gte=period.start, ordered_at__lt=period.end)
    return orders


def per_customer(user: User, period: Period | None) -> QuerySet[Any, Any]:
    return (
        paid_in(user, period)
        .order_by()
        .values("customer_id")
        # Float sums: a decimal output would have SQLite cast each buyer's sums (slow at a
        # million customers: docs/performance.md); the caller turns them back into baht.
        .annotate(
            revenue=Sum("revenue", output_field=FloatField()),
            profit=Sum("profit", output_field=FloatField()),
            orders=Count("id"),
        )
    )


def period_totals(user: User, period: Period | None) -> dict[str, Decimal]:
    """The period's paid revenue and profit, of the orders the user may see."""
    totals = paid_in(user, period).aggregate(revenue=Sum("revenue"), profit=Sum("profit"))
    return {key: value or ZERO for key, value in totals.items()}


def money(value: Any) -> Decimal:
    """A sum as the database returns it (a float on SQLite) in baht."""
    return to_baht(Decimal(str(value)))


def ratio(part: Decimal, whole: Decimal) -> float:
    return round(float(part / whole), 4) if whole else 0.0
