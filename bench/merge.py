"""A merge of two customers with 5,000 orders each (issue 21; target under 2 s), and its
undo. Each customer has 5,000 paid orders of two lines, 1,000 timeline entries (half of
them visits), 100 points entries and three contact points; their roll-ups are built as
the services keep them. Three rounds of merge then undo (each merge into the same
survivor, so the undo must come first); the figures are the median and the slowest.

``make bench`` runs ``measure_merge`` in its loaded database (bench/measure.py), so the
merge re-scores against every buyer there. Run alone, on a fresh database of just these
two customers:

    .venv/bin/python -m bench.merge                          # SQLite, a temporary directory
    bash scripts/with-postgres.sh .venv/bin/python -m bench.merge
"""

import datetime as dt
import json
import os
import statistics
import tempfile
import time
from decimal import Decimal

if __name__ == "__main__" and "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SAMPHAN_VAR_DIR", tempfile.mkdtemp(prefix="samphan-bench-merge-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from samphan.accounts.models import User  # noqa: E402
from samphan.analytics.rfm import rfm_rebuild  # noqa: E402
from samphan.analytics.rollups import activity_refresh  # noqa: E402
from samphan.customers.merge import customer_merge_undo, customers_merge  # noqa: E402
from samphan.customers.models import ContactPoint, Customer, Interaction  # noqa: E402
from samphan.loyalty.models import PointsEntry  # noqa: E402
from samphan.sales.models import Order, OrderLine, Product  # noqa: E402

ORDERS = 5_000
LINES = 2  # per order
INTERACTIONS = 1_000
POINTS = 100
ROUNDS = 3


def _customer(name: str, phone: str, email: str) -> Customer:
    customer = Customer.objects.create(kind="person", first_name=name, display_name=name)
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(customer=customer, kind="mobile", value=phone),
            ContactPoint(customer=customer, kind="email", value=email),
            ContactPoint(customer=customer, kind="line", value=f"line-{customer.pk}"),
        ]
    )
    return customer


def _history(customer: Customer, products: list[Product], admin: User) -> None:
    """What a customer of some years owns, written in bulk (the merge is what is timed)."""
    now = timezone.now()
    price = Decimal("107.00")
    orders = Order.objects.bulk_create(
        Order(
            number=f"M{customer.pk}-{n}",
            customer=customer,
            ordered_at=now - dt.timedelta(hours=6 * n + customer.pk),
            channel="store",
            revenue=price * LINES,
            profit=Decimal(40) * LINES,
            cost=Decimal(60) * LINES,
            vat=Decimal(7) * LINES,
            total=(price + 7) * LINES,
        )
        for n in range(ORDERS)
    )
    if not orders[0].pk:  # SQLite before RETURNING: read the ids back
        orders = list(Order.objects.filter(customer=customer).order_by("pk"))
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=products[line],
            quantity=Decimal(1),
            unit_price=price,
            unit_cost=Decimal(60),
            revenue=price,
            cost=Decimal(60),
            profit=Decimal(40),
            vat=Decimal(7),
        )
        for order in orders
        for line in range(LINES)
    )
    Interaction.objects.bulk_create(
        Interaction(
            customer=customer,
            kind="visit" if n % 2 else "call",
            summary=f"#{n}",
            occurred_at=now - dt.timedelta(hours=11 * n),
            user=admin,
        )
        for n in range(INTERACTIONS)
    )
    PointsEntry.objects.bulk_create(
        PointsEntry(customer=customer, kind="adjust", points=5, note=f"#{n}", created_by=admin)
        for n in range(POINTS)
    )


def measure_merge(admin: User) -> dict[str, object]:
    products = [
        Product.objects.create(name=f"Merge bench {n}", sku=f"MERGE-BENCH-{n}", list_price=107)
        for n in range(LINES)
    ]
    one = _customer("สมชาย ใจดี", "+66810000001", "somchai.bench@example.com")
    two = _customer("Somchai Jaidee", "+66810000002", "Somchai.Bench@example.com")
    for customer in (one, two):
        _history(customer, products, admin)
    activity_refresh([one.pk, two.pk])
    rfm_rebuild()  # so that the merge re-scores them, as it does once scores exist
    merges, undos = [], []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        record = customers_merge(actor=admin, survivor=one, duplicates=[two])
        merges.append(time.perf_counter() - started)
        assert Order.objects.filter(customer=one).count() == 2 * ORDERS
        started = time.perf_counter()
        customer_merge_undo(actor=admin, record=record)
        undos.append(time.perf_counter() - started)
        assert Order.objects.filter(customer=two).count() == ORDERS
    return {
        "orders_each": ORDERS,
        "order_lines_each": ORDERS * LINES,
        "interactions_each": INTERACTIONS,
        "points_each": POINTS,
        "merge_s": round(statistics.median(merges), 3),
        "merge_max_s": round(max(merges), 3),
        "undo_s": round(statistics.median(undos), 3),
        "undo_max_s": round(max(undos), 3),
    }


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-merge", defaults={"is_superuser": True})
    print(json.dumps({"database": connection.vendor, **measure_merge(user)}))
