"""Loyalty at scale (issue 24): demo customers (a million by default; every buyer a member
with their orders' points in the ledger), then

- points for orders one by one: ``order_record`` as a till calls it, orders/s, with the
  ledger and without it (its receivers disconnected) to show what points cost;
- points for orders in bulk: POS batches of 1,000 through ``orders_bulk_record``;
- the nightly run (expiry first in first out over every member, then the reminders);
- a member's points panel (the customer page's), p95 over 50 members.

    python bench/bench_loyalty.py [--customers N]           # SQLite, var/bench/loyalty
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_loyalty.py

Targets (SQLite): points posted for ≥ 1,000 orders/s one by one and ≥ 2,000 orders/s in
bulk (``*_points_per_s``: the time an order takes with the ledger less without it), the
nightly run under 2 minutes, the panel under 50 ms at p95. The database is removed
afterwards.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR_DIR = ROOT / "var" / "bench" / "loyalty"
if "DATABASE_URL" not in os.environ:
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    os.environ["SAMPHAN_VAR_DIR"] = str(VAR_DIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import percentiles  # noqa: E402
from samphan.accounts.models import User  # noqa: E402
from samphan.customers.models import Customer  # noqa: E402
from samphan.demo.loader import load_demo  # noqa: E402
from samphan.loyalty import receivers  # noqa: E402
from samphan.loyalty.models import Member, PointsEntry  # noqa: E402
from samphan.loyalty.services.expiry import loyalty_nightly  # noqa: E402
from samphan.sales import services  # noqa: E402
from samphan.sales.models import Product  # noqa: E402
from samphan.sales.services import LineInput, OrderInput  # noqa: E402
from samphan.sales.signals import order_refunded, orders_recorded, orders_status_changed  # noqa: E402

TARGETS = {"one_by_one_points_per_s": 1000, "bulk_points_per_s": 2000, "nightly_s": 120,
           "panel_p95_ms": 50}  # fmt: skip
ONE_BY_ONE = 2000
BATCHES, BATCH_SIZE = 10, 1000


def one_by_one(admin: User, rng: random.Random, ids: list[int], products: list[int]) -> float:
    customers = Customer.objects.in_bulk(rng.sample(ids, ONE_BY_ONE))
    calls = [(c, [LineInput(rng.choice(products), rng.randint(1, 3))]) for c in customers.values()]
    started = time.perf_counter()
    for customer, lines in calls:
        services.order_record(actor=admin, customer=customer, lines=lines, channel="store")
    return len(calls) / (time.perf_counter() - started)


def in_bulk(admin: User, rng: random.Random, ids: list[int], products: list[int]) -> float:
    batches = [
        [
            OrderInput(
                customer=rng.choice(ids),
                channel="online",
                lines=[LineInput(rng.choice(products), rng.randint(1, 3))],
            )
            for _ in range(BATCH_SIZE)
        ]
        for _ in range(BATCHES)
    ]
    started = time.perf_counter()
    for orders in batches:
        result = services.orders_bulk_record(actor=admin, orders=orders)
        assert not result.errors, result.errors
    return BATCHES * BATCH_SIZE / (time.perf_counter() - started)


def without_ledger(measure: Callable[..., float], *args: object) -> float:
    orders_recorded.disconnect(dispatch_uid="loyalty.orders_recorded")
    order_refunded.disconnect(dispatch_uid="loyalty.order_refunded")
    orders_status_changed.disconnect(dispatch_uid="loyalty.status")
    try:
        return measure(*args)
    finally:
        receivers.connect()


def panel_p95(admin: User, ids: list[int]) -> float:
    client = Client()
    client.force_login(admin)
    times = []
    for pk in ids[:50]:
        client.get(f"/points/customers/{pk}/")  # warm
        started = time.perf_counter()
        response = client.get(f"/points/customers/{pk}/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return percentiles(times)["p95_ms"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_demo(customers=args.customers, second_records=False)
    loaded_s = time.perf_counter() - started
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True})
    rng = random.Random(24)
    members = list(Member.objects.filter(points__gt=0).values_list("customer_id", flat=True))
    ids = list(Customer.objects.filter(archived_at__isnull=True).values_list("id", flat=True))
    products = list(Product.objects.filter(is_active=True).values_list("id", flat=True))
    result = {
        "database": connection.vendor,
        "customers": args.customers,
        "members": Member.objects.count(),
        "ledger_rows": PointsEntry.objects.count(),
        "demo_load_s": round(loaded_s, 1),
        "one_by_one_orders_per_s": round(one_by_one(admin, rng, ids, products)),
        "one_by_one_without_ledger_orders_per_s": round(
            without_ledger(one_by_one, admin, rng, ids, products)
        ),
        "bulk_orders_per_s": round(in_bulk(admin, rng, ids, products)),
        "bulk_without_ledger_orders_per_s": round(
            without_ledger(in_bulk, admin, rng, ids, products)
        ),
    }
    # What the points alone cost an order: the time with the ledger less the time without.
    for way in ("one_by_one", "bulk"):
        with_ledger, without = (
            result[f"{way}_orders_per_s"],
            result[f"{way}_without_ledger_orders_per_s"],
        )
        extra = 1 / with_ledger - 1 / without
        result[f"{way}_points_per_s"] = round(1 / extra) if extra > 0 else None
    started = time.perf_counter()
    run = loyalty_nightly(timezone.localdate() + dt.timedelta(days=1))
    result["nightly_s"] = round(time.perf_counter() - started, 1)
    result["nightly_expired_members"] = run.expired if run else 0
    result["nightly_reminded"] = run.reminded if run else 0
    result["panel_p95_ms"] = panel_p95(admin, rng.sample(members, 50))
    result["targets"] = TARGETS
    print(json.dumps(result, indent=2))
    if "DATABASE_URL" not in os.environ:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
