"""Front-desk measures at scale, run last by bench/measure.py (they add visits):

- check-in through the desk's look-up (a whole mobile number: lookup, visit, roll-ups,
  alert rules, the customer card), and the look-up by the last four digits (the cards to
  pick from);
- the expected-today page (and VIPs only) over every customer;
- alert delivery: 50 staff screens polling the feed over real HTTP (gunicorn, two
  workers, on loopback) while VIPs are checked in; the time from each check-in's commit
  to each screen's first sight of it.

Targets from issue 5: check-in p95 under 100 ms, alert delivery p95 under 3 s with 50
screens open, expected today under 1 s.
"""

import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from bench.timing import percentiles, timed
from samphan.accounts.models import User
from samphan.customers.models import ContactPoint, Customer
from samphan.frontdesk import services
from samphan.frontdesk.models import Alert, AlertRule

SCREENS = 50
ARRIVALS = 15
TARGETS = {"check_in_p95_ms": 100, "alert_p95_ms": 3_000, "expected_p95_ms": 1_000}
HTMX = {"HTTP_HX_REQUEST": "true"}


def measure_frontdesk(admin: User) -> dict[str, Any]:
    rng = random.Random(5)
    client = Client()
    client.force_login(admin)
    AlertRule.objects.get_or_create(name="VIP (bench)", kind=AlertRule.Kind.VIP)
    numbers = list(
        ContactPoint.objects.filter(kind=ContactPoint.Kind.MOBILE)
        .order_by("?")
        .values_list("value", flat=True)[:300]
    )
    national = ["0" + number[3:] for number in numbers if number.startswith("+66")][:200]

    def look_up(query: str) -> None:
        response = client.post("/frontdesk/look-up/", {"q": query}, **HTMX)
        assert response.status_code == 200, response.status_code

    pages = {
        "check-in by mobile number (look-up, visit, roll-ups, card)": percentiles(
            [t for number in national for t in timed(lambda n=number: look_up(n), 1)]
        ),
        "look-up by the last four digits (cards to pick)": percentiles(
            [
                t
                for _ in range(100)
                for t in timed(lambda: look_up(f"{rng.randrange(10_000):04d}"), 1)
            ]
        ),
        "expected today page": percentiles(timed(lambda: client.get("/frontdesk/expected/"), 5)),
        "expected today page, VIPs only": percentiles(
            timed(lambda: client.get("/frontdesk/expected/?vip=1"), 5)
        ),
    }
    return {"pages": pages, "alerts": alert_delivery(admin, client)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Screen(threading.Thread):
    """One staff page polling the feed each second, noting when each alert first shows."""

    def __init__(self, port: int, cookie: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.cookie, self.stop = port, cookie, stop
        self.first_seen: dict[str, float] = {}
        self.errors = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        state = ""
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                connection.request(
                    "GET",
                    f"/frontdesk/alerts/feed/?size=tray&state={state}",
                    headers={"Cookie": self.cookie},
                )
                response = connection.getresponse()
                body = response.read().decode()
                if response.status == 200:
                    state = response.getheader("X-Alerts-State", "")
                    now = time.monotonic()
                    for alert in re.findall(r'data-alert="(\d+)"', body):
                        self.first_seen.setdefault(alert, now)
                elif response.status != 204:
                    self.errors += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def alert_delivery(admin: User, client: Client) -> dict[str, Any]:
    port = _free_port()
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "SAMPHAN_BIND": f"127.0.0.1:{port}", "PYTHONPATH": root}
    server = subprocess.Popen(
        [sys.executable, "-m", "samphan", "serve", "--no-worker", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
        stop = threading.Event()
        screens = [Screen(port, cookie, stop) for _ in range(SCREENS)]
        for screen in screens:
            screen.start()
            time.sleep(1 / SCREENS)  # spread over the second, as pages opened at random
        time.sleep(3)
        vips = list(
            Customer.objects.filter(is_vip=True, archived_at__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)[:ARRIVALS]
        )
        arrived: dict[str, float] = {}
        for pk in vips:
            customer = Customer.objects.get(pk=pk)
            arrival = services.check_in(actor=admin, customer=customer, method="picked")
            arrived[str(arrival.alert.pk)] = time.monotonic()  # committed: autocommit
            time.sleep(2.5)
        time.sleep(3)
        stop.set()
        for alert in Alert.objects.filter(pk__in=[int(pk) for pk in arrived]):
            services.alert_greet(actor=admin, alert=alert)
        for screen in screens:
            screen.join(timeout=15)
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies = [
        screen.first_seen[alert] - at
        for alert, at in arrived.items()
        for screen in screens
        if alert in screen.first_seen
    ]
    missed = len(arrived) * len(screens) - len(latencies)
    return {
        "screens": SCREENS,
        "arrivals": len(arrived),
        "missed": missed,
        "errors": sum(screen.errors for screen in screens),
        **percentiles(latencies),
    }


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not start")
