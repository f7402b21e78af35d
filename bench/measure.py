"""One benchmark run on the database the environment names: load N demo customers, then
time search, the customer list page and the customer page, then the sales measures
(bench/sales.py). Prints one JSON object.

Run by bench/run.py; by hand: `python bench/measure.py --customers 100000`.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.analytics import measure_analytics  # noqa: E402
from bench.frontdesk import measure_frontdesk  # noqa: E402
from bench.merge import measure_merge  # noqa: E402
from bench.messaging import measure_messaging  # noqa: E402
from bench.sales import measure_sales  # noqa: E402
from bench.segments import measure_segments  # noqa: E402
from bench.timing import percentiles, timed  # noqa: E402
from samphan.accounts.models import User  # noqa: E402
from samphan.core.checkpoints import Checkpointer  # noqa: E402
from samphan.customers.models import ContactPoint, Customer  # noqa: E402
from samphan.customers.queries import CustomerFilters, customer_list  # noqa: E402
from samphan.demo.loader import load_demo  # noqa: E402


def search_terms(rng: random.Random) -> dict[str, list[str]]:
    """Realistic queries drawn from the loaded data."""
    phones = list(
        ContactPoint.objects.filter(kind="mobile")
        .order_by("?")
        .values_list("value", flat=True)[:40]
    )
    emails = list(
        ContactPoint.objects.filter(kind="email").order_by("?").values_list("value", flat=True)[:20]
    )
    return {
        "thai name part": ["ชาย", "สมศักดิ์", "วงศ์", "ใจดี", "มาลี", "รัตน์", "ศรีสุข", "พงษ์"],
        "latin name part": ["somchai", "jaidee", "wong", "malee", "rattana", "suk"],
        "phone suffix (4+ digits)": [p[-4:] for p in phones[:20]] + [p[-7:] for p in phones[20:]],
        "phone, full in any form": [f"0{p[3:5]}-{p[5:8]}-{p[8:]}" for p in phones[:20]]
        + list(phones[20:]),
        "e-mail": emails,
    }


def measure_search(admin: User, terms: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    results = {}
    for label, queries in terms.items():
        samples: list[float] = []
        for query in queries:
            filters = CustomerFilters(q=query)
            samples += timed(lambda f=filters: list(customer_list(admin, f)[:25]), 3)
        results[label] = percentiles(samples)
    return results


def measure_pages(admin: User) -> dict[str, dict[str, float]]:
    client = Client()
    client.force_login(admin)
    ids = list(Customer.objects.order_by("?").values_list("id", flat=True)[:50])

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return {
        "list page (first page)": percentiles(timed(lambda: get("/customers/"), 30)),
        "list page, filtered (stage+tier)": percentiles(
            timed(lambda: get("/customers/?stage=customer&tier=gold"), 30)
        ),
        "list page, search “สมชาย”": percentiles(timed(lambda: get("/customers/?q=สมชาย"), 30)),
        "customer page": percentiles(
            [t for pk in ids for t in timed(lambda pk=pk: get(f"/customers/{pk}/"), 1)]
        ),
    }


def query_plans(admin: User) -> dict[str, str]:
    plans = {}
    for label, query in (("search “สมชาย”", "สมชาย"), ("phone suffix", "5678")):
        queryset = customer_list(admin, CustomerFilters(q=query))[:25]
        plans[label] = queryset.explain()
    return plans


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, required=True)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True})
    started = time.perf_counter()
    result = load_demo(customers=args.customers, seed=7)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The measures run on a new connection, as a server's would: the loader's, after
    # writing two million rows, recorded orders one by one 10% slower (measured).
    connection.close()
    rng = random.Random(7)
    rows = (
        result.customers + result.contact_points + result.interactions + result.orders
        + result.order_lines + result.deals + result.leads
    )  # fmt: skip
    output: dict = {
        "database": connection.vendor,
        "customers": args.customers,
        "load": {
            "seconds": round(load_seconds, 1),
            "customers_per_s": round(args.customers / load_seconds),
            "rows_per_s": round(rows / load_seconds),
            "orders": result.orders,
            "order_lines": result.order_lines,
            "quotes": result.quotes,
        },
        "search": measure_search(admin, search_terms(rng)),
        "pages": measure_pages(admin),
        "plans": query_plans(admin),
    }
    # As in production, where the worker runs beside the web processes: on SQLite it
    # checkpoints the write-ahead log, so writers do not (samphan.core.checkpoints).
    checkpointer = Checkpointer().start()
    output["analytics"] = measure_analytics(admin)
    output["segments"] = measure_segments(admin)
    # Last: these add orders and deals to the data the measures above read.
    output["sales"] = measure_sales(admin)
    output["frontdesk"] = measure_frontdesk(admin)
    output["merge"] = measure_merge(admin)  # issue 21: two customers of 5,000 orders each
    checkpointer.stop()
    # Last: its worker process runs the checkpoints and keeps the snapshots fresh, as in
    # production, while it sends.
    output["messaging"] = measure_messaging(admin)
    print(json.dumps(output, ensure_ascii=False))


if __name__ == "__main__":
    main()
