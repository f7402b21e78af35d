"""Two web processes and two workers against one PostgreSQL at once, as a deployment with
several of each runs (docs/operations.md, "Several web and worker processes"): real
``samphan serve`` and ``samphan worker`` processes, real HTTP on loopback, e-mail to a
real SMTP server on loopback. One test, each claim its own assertion:

(a) every message of a campaign is handed over exactly once (counted by Message-ID, the
    message's key, at the SMTP server);
(b) both workers sent part of it (each logs what it handed over, with its process id);
(c) the configured e-mail rate holds across both workers (measured at the SMTP server);
(d) a VIP's arrival checked in through web process A is on the alert screen of B within 3 s;
(e) concurrent orders for one customer through both processes leave the customer's
    roll-up equal to a plain SQL sum;
(f) each process's in-memory copy of the paid orders sees orders written through the
    other (the top-customers report on B counts an order posted on A, and back);
(g) redemptions racing for one member's points through both processes never overdraw,
    and a redemption retried on both at once with one idempotency key posts once.
"""

import bisect
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.pgcluster import ROOT, Scratch, free_port

RECIPIENTS = 300
RATE = 25  # e-mails a second, for both workers together
ORDERS_EACH = 8  # concurrent orders for one customer through each web process
URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"),
    reason="several processes on one database is a PostgreSQL deployment; SQLite has one "
    "writer and runs one web process and one worker (run with scripts/with-postgres.sh)",
)


class Inbox:
    """An SMTP server on loopback that keeps each message's Message-ID and arrival time."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = re.search(rb"^Message-ID: *(.+?)\r?$", envelope.content, re.M | re.I)
        with self.lock:
            self.received.append((time.monotonic(), found.group(1).decode() if found else ""))
        return "250 Message accepted"


class Deployment(Scratch):
    """A database of the test's own on the cluster DATABASE_URL names, migrated and with
    the static files collected (production serves them from the manifest), and the
    processes."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, migrated=True, static=True, prefix="samphan_multi")
        self.tmp = tmp_path
        self.env["SECRET_KEY"] = "multi-process-test-" + "x" * 40
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "samphan", *args], env={**self.env, **env}, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.drop()


@pytest.fixture
def deployment(tmp_path):
    deployment = Deployment(tmp_path)
    try:
        yield deployment
    finally:
        deployment.stop()


def wait_for(condition: Any, seconds: float, what: str, logs: Any = str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}\n{logs()}"
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/login/", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def api(url: str, token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.base_url = url + "/api/v1"  # type: ignore[attr-defined]
    return session


def logged_in(url: str, username: str, password: str) -> requests.Session:
    """A session through the login form, as a browser on the alert screen has."""
    session = requests.Session()
    session.get(url + "/login/", timeout=10)
    answer = session.post(
        url + "/login/",
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": url + "/login/"}, timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200 and "sessionid" in session.cookies, answer.text[:500]
    return session


def order(session: requests.Session, customer: int, sku: str, quantity: int) -> dict[str, Any]:
    body = {"customer_id": customer, "channel": "store",
            "lines": [{"sku": sku, "quantity": str(quantity), "unit_price": "100.00"}]}  # fmt: skip
    answer = session.post(session.base_url + "/orders", json=body, timeout=30)  # type: ignore[attr-defined]
    assert answer.status_code == 201, answer.text[:500]
    return dict(answer.json())


def redeem(session: requests.Session, customer: int, points: int, key: str = "") -> int:
    headers = {"Idempotency-Key": key} if key else {}
    answer = session.post(session.base_url + f"/customers/{customer}/points",  # type: ignore[attr-defined]
                          json={"kind": "redeem", "points": points}, headers=headers, timeout=30)  # fmt: skip
    assert answer.status_code in (200, 201, 422), answer.text[:500]
    return answer.status_code


def top_revenue(session: requests.Session, customer: int) -> Decimal:
    """The customer's revenue today in the top-customers report (0 when not in it)."""
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    params = {"since": str(today - dt.timedelta(days=1)), "until": str(today), "limit": 100}
    answer = session.get(session.base_url + "/analytics/top-customers", params=params, timeout=30)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text[:500]
    rows = {row["customer_id"]: Decimal(row["revenue"]) for row in answer.json()["items"]}
    return rows.get(customer, Decimal(0))


def test_two_web_processes_and_two_workers_share_one_database(deployment):
    seeded = json.loads(
        deployment.manage("-m", "tests.multiprocess.setup_data", "seed", str(RECIPIENTS))
    )
    desk_token, boss_token = seeded["tokens"]["desk"], seeded["tokens"]["boss"]
    customers, sku = seeded["customers"], seeded["sku"]

    inbox = Inbox()
    inbox.controller.start()
    try:
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        common = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(inbox.port),
                  "DEFAULT_FROM_EMAIL": "shop@samphan.test",
                  "SAMPHAN_RATE_LIMITS": f"email={RATE}"}  # fmt: skip
        for letter, port in zip("AB", ports, strict=True):
            deployment.start(f"web{letter}", "serve", "--no-worker", "--workers", "1",
                             "--bind", f"127.0.0.1:{port}", env=common)  # fmt: skip
        workers = [deployment.start(f"worker{n}", "worker", env=common) for n in (1, 2)]
        wait_for(
            lambda: all(answers(url) for url in urls),
            180,
            "both web processes",
            lambda: deployment.log("webA")[-2000:] + deployment.log("webB")[-2000:],
        )
        a_desk = api(urls[0], desk_token)
        a_boss, b_boss = api(urls[0], boss_token), api(urls[1], boss_token)
        screen = logged_in(urls[1], "desk", "test-pass-123")

        # The campaign: the workers' campaign loop queues it, their outbox loops send it.
        deployment.manage("-m", "tests.multiprocess.setup_data", "campaign")

        # (d) A VIP checked in on A, seen by B's alert screen (polled as the screen does).
        feed = urls[1] + "/frontdesk/alerts/feed/"
        first = screen.get(feed, params={"size": "screen"}, timeout=10)
        assert first.status_code == 200, first.status_code
        state = first.headers["X-Alerts-State"]
        checked_in = a_desk.post(a_desk.base_url + "/frontdesk/check-ins",  # type: ignore[attr-defined]
                                 json={"customer_id": seeded["vip"]}, timeout=10)  # fmt: skip
        started = time.monotonic()
        assert checked_in.status_code == 201, checked_in.text[:500]
        assert checked_in.json()["alert"] is not None, "the VIP's check-in raised no alert"
        card = f'data-alert="{checked_in.json()["alert"]["id"]}"'
        seen_after, polled = None, None
        while time.monotonic() - started < 3:
            polled = screen.get(feed, params={"size": "screen", "state": state}, timeout=5)
            if polled.status_code == 200 and card in polled.text:
                seen_after = time.monotonic() - started
                break
            time.sleep(0.1)
        assert seen_after is not None, (
            f"the alert raised on A was not on B's screen within 3 s (last poll: "
            f"{polled.status_code if polled else None})"
        )
        print(f"alert raised on A seen on B after {seen_after * 1000:.0f} ms")

        # (f) Each process's copy of the paid orders, warm, then written through the other.
        fresh_a, fresh_b = customers[-1], customers[-2]
        for session in (a_boss, b_boss):
            top_revenue(session, fresh_a)
        time.sleep(1)  # the copies load in a background thread of each process
        for session in (a_boss, b_boss):
            top_revenue(session, fresh_a)
        on_a = order(a_boss, fresh_a, sku, 70)
        on_b = order(b_boss, fresh_b, sku, 90)
        assert top_revenue(b_boss, fresh_a) == Decimal(on_a["revenue"]), (
            "web process B's copy of the paid orders missed an order posted through A"
        )
        assert top_revenue(a_boss, fresh_b) == Decimal(on_b["revenue"]), (
            "web process A's copy of the paid orders missed an order posted through B"
        )
        cancelled = a_boss.post(a_boss.base_url + f"/orders/{on_a['id']}/status",  # type: ignore[attr-defined]
                                json={"status": "cancelled"}, timeout=30)  # fmt: skip
        assert cancelled.status_code == 200, cancelled.text[:500]
        assert top_revenue(b_boss, fresh_a) == 0, (
            "web process B still counts an order cancelled through A"
        )

        # (e) Concurrent orders for one customer through both processes at once.
        buyer = customers[1]
        sessions = [a_boss, b_boss] * ORDERS_EACH
        with ThreadPoolExecutor(max_workers=4) as pool:
            posted = list(pool.map(lambda n: order(sessions[n], buyer, sku, 1 + n % 3),
                                   range(len(sessions))))  # fmt: skip
        assert len({o["id"] for o in posted}) == 2 * ORDERS_EACH
        rollup = deployment.query(
            "SELECT order_count, revenue FROM analytics_customeractivity WHERE customer_id = %s",
            (buyer,),
        )
        recomputed = deployment.query(
            "SELECT COUNT(*), COALESCE(SUM(revenue), 0) FROM sales_order "
            "WHERE customer_id = %s AND status = 'paid'",
            (buyer,),
        )
        assert rollup == recomputed, (
            f"customer {buyer}'s roll-up {rollup} is not the SQL sum {recomputed} after "
            "concurrent orders through both web processes"
        )

        # (g) Redemptions racing for the buyer's points (earned by those orders).
        points_url = f"/customers/{buyer}/points"
        balance = a_boss.get(a_boss.base_url + points_url, timeout=10).json()["points"]  # type: ignore[attr-defined]
        each = balance // 3 + 1  # two can succeed, not three
        with ThreadPoolExecutor(max_workers=6) as pool:
            tried = list(pool.map(lambda n: redeem(sessions[n], buyer, each), range(12)))
        assert sorted(tried).count(201) == 2 and tried.count(422) == 10, tried
        with ThreadPoolExecutor(max_workers=6) as pool:
            retried = list(pool.map(lambda n: redeem(sessions[n], buyer, 1, key="till-1-77"),
                                    range(6)))  # fmt: skip
        assert sorted(retried) == [200] * 5 + [201], retried
        kept = deployment.query(
            "SELECT points FROM loyalty_member WHERE customer_id = %s", (buyer,)
        )
        ledger = deployment.query(
            "SELECT SUM(points) FROM loyalty_pointsentry WHERE customer_id = %s", (buyer,)
        )
        assert kept[0][0] == ledger[0][0] == balance - 2 * each - 1 >= 0, (kept, ledger, balance)

        # (a)-(c) The campaign: wait until it is all sent, then a moment for a late copy.
        def sent() -> bool:
            return (
                deployment.query("SELECT COUNT(*) FROM messaging_message WHERE status = 'sent'")[0][
                    0
                ]
                >= RECIPIENTS
            )

        wait_for(sent, 60, "the campaign's messages to be sent")
        time.sleep(1)
        with inbox.lock:
            received = list(inbox.received)
    finally:
        inbox.controller.stop()

    keys = {f"<{row[0]}@samphan.test>" for row in deployment.query(
        "SELECT key FROM messaging_message")}  # fmt: skip
    assert len(keys) == RECIPIENTS, f"{len(keys)} messages queued for {RECIPIENTS} recipients"
    counted = Counter(message_id for _at, message_id in received)
    doubled = {key: count for key, count in counted.items() if count > 1}
    missing = keys - set(counted)
    assert not doubled and not missing and set(counted) == keys, (
        f"each message once: {len(doubled)} received twice or more, {len(missing)} missing, "
        f"{len(set(counted) - keys)} unknown"
    )

    shares = {}
    for number, worker in enumerate(workers, start=1):
        handed = re.findall(
            rf"outbox: (\d+) handed over by process {worker.pid}\b",
            deployment.log(f"worker{number}"),
        )
        shares[worker.pid] = sum(int(n) for n in handed)
    assert sum(shares.values()) == RECIPIENTS, f"the workers' logs account for {shares}"
    assert all(shares.values()), f"one worker sent the whole campaign: {shares}"

    times = sorted(at for at, _id in received)
    span = times[-1] - times[0]
    overall = (len(times) - 1) / span
    busiest = max(bisect.bisect_left(times, at + 1.0) - i for i, at in enumerate(times))
    print(f"e-mail rate: {overall:.1f}/s overall, {busiest} in the busiest second; limit {RATE}/s;"
          f" shares {sorted(shares.values())}")  # fmt: skip
    assert overall <= RATE * 1.05, f"{overall:.1f} e-mails/s across both workers, limit {RATE}/s"
    assert busiest <= RATE * 1.25, f"{busiest} e-mails in one second, limit {RATE}/s"
