"""PostgreSQL stopped under a running web server and worker, then started again (issue 22).

A throwaway cluster of the test's own (tests/pgcluster.py, as scripts/with-postgres.sh
makes one), migrated;
``samphan serve --no-worker`` (gunicorn on a loopback port) and ``samphan worker`` run as
subprocesses; an e-mail waits in the outbox for a real SMTP server on loopback, due while
the database is away. With PostgreSQL stopped: a page answers 503 with the Thai
maintenance text, the API 503 JSON with Retry-After, /healthz 200, /readyz 503, and the
worker lives. Within 30 s of PostgreSQL's return, without restarting anything: pages 200,
/readyz 200 on a heartbeat beaten since, and the e-mail delivered exactly once."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.messaging.servers import SmtpInbox
from tests.pgcluster import cluster, free_port, static_linked

__all__ = ["cluster"]  # the fixture, from tests/pgcluster.py

RECOVERY = 30.0  # seconds, from the issue
SETUP = """
import datetime as dt, json
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from samphan.accounts.models import User
from samphan.accounts.services import token_create
from samphan.customers.models import Customer
from samphan.messaging.models import Message
from samphan.messaging.outbox import message_queue
user = User.objects.create_user("desk", password="x", is_superuser=True, is_staff=True)
customer = Customer.objects.create(first_name="สมชาย", last_name="ใจดี")
message = message_queue(customer=customer, channel="email", purpose="service",
                        to="somchai@example.com", subject="ใบเสร็จ", text="ขอบคุณครับ",
                        idempotency_key="database-down")
# Not due until the test says, just before it stops PostgreSQL.
Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + dt.timedelta(days=1))
print(json.dumps({"token": token_create(user=user, name="t"), "pk": message.pk,
                  "table": Message._meta.db_table}))
"""


def wait_for(what: str, check: Callable[[], bool], within: float) -> float:
    """Seconds until ``check()`` held; fails after ``within``."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            if check():
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {within} s")


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_database_goes_away_and_everything_comes_back(cluster, tmp_path):
    began = time.monotonic()
    samphan = str(Path(sys.executable).with_name("samphan"))
    web = f"http://127.0.0.1:{free_port()}"
    with SmtpInbox() as inbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMPHAN_", "EMAIL_"))}
        env |= {
            "DATABASE_URL": cluster.url,
            "DJANGO_SETTINGS_MODULE": "samphan.settings",
            "SAMPHAN_VAR_DIR": str(tmp_path / "var"),
            "SAMPHAN_BIND": web.removeprefix("http://"),
            "WEB_CONCURRENCY": "1",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(inbox.port),
        }
        setup = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", SETUP],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # Meanwhile the static files production serves, collected once per test process.
        static_linked(tmp_path / "var")
        out, err = setup.communicate(timeout=120)
        assert setup.returncode == 0, err
        given = json.loads(out.strip().splitlines()[-1])
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {given['token']}"
        page = requests.Session()
        page.cookies.set("sessionid", "a-session-only-the-database-knows")
        servers = [
            launch([samphan, "serve", "--no-worker"], env, tmp_path / "web.log"),
            launch([samphan, "worker"], env, tmp_path / "worker.log"),
        ]
        try:
            print(f"set up in {time.monotonic() - began:.1f} s")
            wait_for("ready", lambda: requests.get(f"{web}/readyz", timeout=5).ok, 40)
            print(f"ready after {time.monotonic() - began:.1f} s")
            assert page.get(f"{web}/login/", timeout=5).status_code == 200
            assert not inbox.messages  # not due yet
            before_stop = time.monotonic()

            due_in = 4  # seconds: the e-mail falls due while PostgreSQL is stopped
            cluster.sql(  # the table's name and an id from our own set-up
                f'UPDATE "{given["table"]}" SET next_attempt_at = '  # noqa: S608
                f"now() + interval '{due_in} seconds' WHERE id = {int(given['pk'])}"
            )
            cluster.stop("fast")
            stopped_at = time.monotonic()
            assert stopped_at - before_stop < due_in
            down = page.get(f"{web}/login/", timeout=10)
            assert down.status_code == 503, down.text
            assert "ปิดปรับปรุงชั่วครู่" in down.text and "Traceback" not in down.text
            assert int(down.headers["Retry-After"]) > 0
            answer = api.get(f"{web}/api/v1/customers", timeout=10)
            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] == "database_unavailable"
            assert int(answer.headers["Retry-After"]) > 0
            assert requests.get(f"{web}/healthz", timeout=5).status_code == 200
            readyz = requests.get(f"{web}/readyz", timeout=10)
            assert readyz.status_code == 503 and readyz.json()["checks"]["database"]["ok"] is False
            # Past the e-mail's due time, with the worker still running.
            time.sleep(max(0.0, before_stop + due_in + 2 - time.monotonic()))
            assert servers[1].poll() is None, (tmp_path / "worker.log").read_text()
            assert not inbox.messages

            cluster.start()
            back = time.monotonic()

            def fresh() -> bool:
                answer = requests.get(f"{web}/readyz", timeout=5)
                age = answer.json()["checks"]["worker"].get("age_seconds")
                return answer.status_code == 200 and age < time.monotonic() - back

            wait_for("a page", lambda: page.get(f"{web}/login/", timeout=5).status_code == 200, 30)
            wait_for("the API", lambda: api.get(f"{web}/api/v1/customers", timeout=5).ok, 30)
            wait_for(
                "the e-mail", lambda: len(inbox.messages) >= 1, RECOVERY - (time.monotonic() - back)
            )
            wait_for("a heartbeat since", fresh, RECOVERY - (time.monotonic() - back))
            print(f"recovered in {time.monotonic() - back:.1f} s, down {back - stopped_at:.1f} s")
            assert time.monotonic() - back < RECOVERY
            time.sleep(2)  # a second hand-off would come within the outbox's next looks
            assert len(inbox.messages) == 1
            assert inbox.messages[0]["To"] == "somchai@example.com"
            assert all(process.poll() is None for process in servers)
            log = (tmp_path / "worker.log").read_text()
            assert "database unavailable" in log, log
            assert stopped_at < back
        finally:
            for process in servers:
                stop(process)
