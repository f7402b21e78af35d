"""CPU per request of each request type of the load test's mix, in one process (Django's
test client, no HTTP, no other load), on the database DATABASE_URL names after
bench/load/run.py (or ``samphan demo``) filled it:

    LOAD_FIXTURES=var/load/<time>/fixtures.json python bench/load/cpu.py [--profile TYPE]

For each type: CPU ms and wall ms per request (mean of --repeat), the queries it runs and
its status codes, then the mean weighted as the full mix weighs the types (run.py's 50
alert screens, 40 staff, 10 POS clients). At 150 requests/s on two cores the whole
machine (Samphan, PostgreSQL, locust) has about 13 ms per request: this says which types
spend it. ``--profile TYPE`` prints that type's cProfile instead (CPU time).
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from samphan.accounts.models import User  # noqa: E402

# Requests a second each type gets in the full mix when every user keeps pace: 50 screens
# polling once a second; 40 staff and 10 POS clients, a request every 0.5 s each, staff
# tasks weighted 3, 3, 2, 3, 1, 1, 1, 1, 1 as in locustfile.py.
MIX = {
    "alert feed (screen poll)": 50,
    "front desk check-in": 15,
    "customer search (Thai name)": 15,
    "customer search (phone)": 10,
    "customer page": 15,
    "kanban move": 5,
    "dashboard (home)": 5,
    "dashboard (insights: top customers)": 5,
    "dashboard (insights: reports)": 5,
    "dashboard (insights: sales funnel)": 5,
    "order post (API)": 20,
}


class Mix:
    """The locustfile's requests, made through Django's test client."""

    def __init__(self, fixtures: dict[str, Any]) -> None:
        self.fx = fixtures
        self.rng = random.Random(22)
        self.staff = self._client("manager")
        self.desk = self._client("frontdesk")
        self.pos = Client(HTTP_HOST="127.0.0.1")
        self.deals = [dict(deal) for deal in fixtures["deals"]]
        self.state = ""

    @staticmethod
    def _client(username: str) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        return client

    def customer(self) -> int:
        return int(self.rng.choice(self.fx["customers"]))

    def poll(self) -> HttpResponse:
        answer = self.desk.get(
            f"/frontdesk/alerts/feed/?size=screen&state={self.state}", HTTP_HX_REQUEST="true"
        )
        if answer.status_code == 200:
            self.state = answer.headers.get("X-Alerts-State", "")
        return answer

    def kanban(self) -> HttpResponse:
        deal = self.rng.choice(self.deals)
        target = self.rng.choice([s for s in deal["stages"] if s != deal["stage"]])
        answer = self.staff.post(
            f"/sales/deals/{deal['pk']}/move/",
            {"stage": target, "expected_stage": deal["stage"]},
            HTTP_ACCEPT="application/json",
        )
        if answer.status_code == 200:
            deal["stage"] = target
        return answer

    def order(self) -> HttpResponse:
        skus = self.rng.sample(self.fx["skus"], self.rng.choice((1, 2, 3)))
        body = {
            "customer_id": self.customer(),
            "channel": "store",
            "lines": [{"sku": s, "quantity": "1", "unit_price": "120.00"} for s in skus],
        }
        return self.pos.post(
            "/api/v1/orders",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.fx['token']}",
        )

    def requests(self) -> dict[str, Callable[[], HttpResponse]]:
        search = "/customers/?"
        return {
            "alert feed (screen poll)": self.poll,
            "front desk check-in": lambda: self.staff.post(
                f"/frontdesk/check-in/{self.customer()}/", {}, HTTP_HX_REQUEST="true"
            ),
            "customer search (Thai name)": lambda: self.staff.get(
                search + urlencode({"q": self.rng.choice(self.fx["names"])})
            ),
            "customer search (phone)": lambda: self.staff.get(
                search + urlencode({"q": self.rng.choice(self.fx["phone_digits"])})
            ),
            "customer page": lambda: self.staff.get(f"/customers/{self.customer()}/"),
            "kanban move": self.kanban,
            "dashboard (home)": lambda: self.staff.get("/"),
            "dashboard (insights: top customers)": lambda: self.staff.get("/insights/top/"),
            "dashboard (insights: reports)": lambda: self.staff.get("/insights/reports/"),
            "dashboard (insights: sales funnel)": lambda: self.staff.get("/insights/funnel/"),
            "order post (API)": self.order,
        }


def measure(request: Callable[[], HttpResponse], repeat: int) -> dict[str, Any]:
    for _ in range(3):  # warm: templates compiled, caches filled
        request()
    with CaptureQueriesContext(connection) as queries:
        request()
    count = len(queries)  # now: the log is read lazily, and later requests may reset it
    codes: set[int] = set()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        codes.add(request().status_code)
    return {
        "cpu_ms": round((time.process_time() - cpu) / repeat * 1000, 1),
        "wall_ms": round((time.perf_counter() - wall) / repeat * 1000, 1),
        "queries": count,
        "codes": sorted(codes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", choices=sorted(MIX), metavar="TYPE")
    args = parser.parse_args()
    with open(os.environ["LOAD_FIXTURES"], encoding="utf-8") as source:
        mix = Mix(json.load(source))
    requests = mix.requests()
    if args.profile:
        for _ in range(3):  # warm, as measure() does: imports are not the request's cost
            requests[args.profile]()
        profile = cProfile.Profile(time.process_time)
        profile.runcall(lambda: [requests[args.profile]() for _ in range(args.repeat)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    figures = {name: measure(request, args.repeat) for name, request in requests.items()}
    weighted = sum(MIX[name] * row["cpu_ms"] for name, row in figures.items()) / sum(MIX.values())
    print(json.dumps({"by_type": figures, "weighted_cpu_ms": round(weighted, 1)}, indent=2))


if __name__ == "__main__":
    main()
