"""The load test's mix (issue 22), for locust; bench/load/run.py starts it headless.

- ``AlertScreen`` (``LOAD_SCREENS``, default 50, a fixed count): the front desk's alert
  screen, signed in as the front-desk user, polling the alert feed once a second with the
  state it last saw, as the screen's script does (204 while nothing changed).
- ``Staff`` (the rest of ``--users``), signed in as the manager through the login form
  (CSRF), each task weighted: check-ins at the front desk, customer searches by Thai name
  and by phone digits, customer pages, kanban moves, the home page and insights.
- ``PosClient`` (weighted beside ``Staff``): one order per call through ``POST
  /api/v1/orders`` with the API token (a POS pushing its sales).

Everything the users pick from (customer ids, names, phone digits, open deals and their
stages, SKUs, the token) comes from bench/load/fixtures.py, in the JSON file named by
``LOAD_FIXTURES``; the password of the demo staff is ``LOAD_PASSWORD``. Only the user
classes named on the command line run: ``locust -f … PosClient`` measures orders alone.
"""

import itertools
import json
import os
import random
import threading
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant_pacing, task

FIXTURES: dict[str, Any] = json.loads(
    open(os.environ["LOAD_FIXTURES"], encoding="utf-8").read()  # noqa: SIM115
)
PASSWORD = os.environ["LOAD_PASSWORD"]
FORM = "application/x-www-form-urlencoded"
# Each Staff user moves its own deals, so two users never race for one card (a race is a
# 409 by design, and would count as a failure here).
STAFF = max(int(os.environ.get("LOAD_STAFF", "64")), 1)
_counters = {"staff": itertools.count(), "pos": itertools.count()}
_numbers_lock = threading.Lock()


def next_number(kind: str) -> int:
    with _numbers_lock:
        return next(_counters[kind])


class SignedIn(FastHttpUser):
    abstract = True
    username = "manager"

    def on_start(self) -> None:
        self.client.get("/login/", name="login form")
        form = {
            "username": self.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": self._csrf(),
        }
        with self.client.post(
            "/login/",
            data=urlencode(form),
            headers={"Referer": self.host + "/login/", "Content-Type": FORM},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login refused: {answer.status_code}")

    def _csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return str(cookie.value)
        return ""

    def post_form(self, url: str, data: dict[str, Any], name: str, **kwargs: Any) -> Any:
        headers = {
            "X-CSRFToken": self._csrf(),
            "Referer": self.host + "/",
            "Content-Type": FORM,
            **kwargs,
        }
        return self.client.post(url, data=urlencode(data), headers=headers, name=name)


class AlertScreen(SignedIn):
    fixed_count = int(os.environ.get("LOAD_SCREENS", "50"))
    username = "frontdesk"
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        super().on_start()
        self.state = ""

    @task
    def poll(self) -> None:
        with self.client.get(
            f"/frontdesk/alerts/feed/?size=screen&state={self.state}",
            name="alert feed (screen poll)",
            headers={"HX-Request": "true"},
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.state = answer.headers.get("X-Alerts-State", "")
            elif answer.status_code != 204:
                answer.failure(f"status {answer.status_code}")


class Staff(SignedIn):
    weight = 4
    wait_time = between(0.25, 0.75)

    def on_start(self) -> None:
        super().on_start()
        number = next_number("staff")
        self.deals = [dict(deal) for deal in self.deal_pool()[number % STAFF :: STAFF]]
        self.rng = random.Random(number)

    def deal_pool(self) -> list[dict[str, Any]]:
        """The first half of the open deals (the probe moves the other half)."""
        deals: list[dict[str, Any]] = FIXTURES["deals"]
        return deals[: len(deals) // 2]

    def customer(self) -> int:
        return int(self.rng.choice(FIXTURES["customers"]))

    @task(3)
    def check_in(self) -> None:
        self.post_form(
            f"/frontdesk/check-in/{self.customer()}/",
            {},
            name="front desk check-in",
            **{"HX-Request": "true"},
        )

    @task(3)
    def search_name(self) -> None:
        name = self.rng.choice(FIXTURES["names"])
        self.client.get("/customers/?" + urlencode({"q": name}), name="customer search (Thai name)")

    @task(2)
    def search_phone(self) -> None:
        digits = self.rng.choice(FIXTURES["phone_digits"])
        self.client.get("/customers/?" + urlencode({"q": digits}), name="customer search (phone)")

    @task(3)
    def customer_page(self) -> None:
        self.client.get(f"/customers/{self.customer()}/", name="customer page")

    @task(1)
    def kanban_move(self) -> None:
        if not self.deals:
            return
        deal = self.rng.choice(self.deals)
        target = self.rng.choice([s for s in deal["stages"] if s != deal["stage"]])
        answer = self.client.post(
            f"/sales/deals/{deal['pk']}/move/",
            data=urlencode({"stage": target, "expected_stage": deal["stage"]}),
            headers={
                "Content-Type": FORM,
                "X-CSRFToken": self._csrf(),
                "Referer": self.host + "/sales/",
                "Accept": "application/json",
            },
            name="kanban move",
        )
        if answer.status_code == 200:
            deal["stage"] = target

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="dashboard (home)")

    @task(1)
    def insights_top(self) -> None:
        self.client.get("/insights/top/", name="dashboard (insights: top customers)")

    @task(1)
    def insights_reports(self) -> None:
        self.client.get("/insights/reports/", name="dashboard (insights: reports)")

    @task(1)
    def funnel(self) -> None:
        self.client.get("/insights/funnel/", name="dashboard (insights: sales funnel)")


class StaffProbe(Staff):
    """One user, no pause, one request in flight: each request type's own time, without
    the queue a saturated server adds (``run.py --mix probe``)."""

    wait_time = constant_pacing(0)

    def deal_pool(self) -> list[dict[str, Any]]:
        deals: list[dict[str, Any]] = FIXTURES["deals"]
        return deals[len(deals) // 2 :]


class PosClient(FastHttpUser):
    weight = 1
    wait_time = between(0.25, 0.75)
    lines_per_order = (1, 2, 3)

    def on_start(self) -> None:
        self.rng = random.Random(1_000 + next_number("pos"))

    @task
    def order(self) -> None:
        skus = self.rng.sample(FIXTURES["skus"], self.rng.choice(self.lines_per_order))
        body = {
            "customer_id": int(self.rng.choice(FIXTURES["customers"])),
            "channel": "store",
            "lines": [
                {"sku": sku, "quantity": str(self.rng.randint(1, 3)), "unit_price": "120.00"}
                for sku in skus
            ],
        }
        with self.client.post(
            "/api/v1/orders",
            json=body,
            headers={"Authorization": f"Bearer {FIXTURES['token']}"},
            name="order post (API)",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"status {answer.status_code}: {answer.text[:200]}")


class PosClientFlatOut(PosClient):
    """Orders with no pause between them, five lines on average as bench/sales.py's one
    order per call: ``run.py --mix orders`` measures orders/s."""

    wait_time = constant_pacing(0)
    lines_per_order = (3, 4, 5, 6, 7)
