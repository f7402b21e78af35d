"""/healthz and /readyz (issue 22): liveness reads nothing, readiness answers each check and
503 when one fails (a stale or missing worker heartbeat); both stand before the session,
the login and the host check."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from samphan.core import health
from samphan.core.heartbeat import PRUNE_AFTER, heartbeat_age, heartbeat_beat
from samphan.core.models import WorkerHeartbeat
from tests.querycount import assert_queries


def readyz(client: Client) -> tuple[int, dict[str, object]]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


@pytest.fixture
def anyone() -> Client:
    """A monitor: no login, and a session cookie that names no session."""
    client = Client(HTTP_HOST="monitor.invalid")  # not in ALLOWED_HOSTS
    client.cookies["sessionid"] = "not-a-session"
    return client


def test_healthz_answers_ok_and_reads_nothing(anyone):
    """Without the django_db mark: a query (a session, a user) would raise here."""
    response = anyone.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_readyz_with_a_fresh_heartbeat_is_ready(anyone, settings):
    heartbeat_beat(name="worker-1:42", started_at=timezone.now())
    anyone.get("/readyz")  # the migration plan, once per process
    with assert_queries(2):  # SELECT 1; the newest heartbeat
        status, body = readyz(anyone)
    assert status == 200, body
    checks = body["checks"]
    assert body["ready"] is True
    assert checks["database"] == {"ok": True} and checks["migrations"] == {"ok": True}
    assert checks["worker"]["ok"] is True
    assert checks["worker"]["max_age_seconds"] == settings.SAMPHAN_HEARTBEAT_MAX_AGE
    assert "worker-1" not in json.dumps(body)  # names no host, no process


@pytest.mark.django_db
def test_readyz_with_a_stale_heartbeat_is_not_ready(anyone, settings):
    settings.SAMPHAN_HEARTBEAT_MAX_AGE = 30
    heartbeat_beat(name="worker-1:42", started_at=timezone.now())
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - dt.timedelta(seconds=31))
    status, body = readyz(anyone)
    assert status == 503
    assert body["ready"] is False
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] >= 31


@pytest.mark.django_db
def test_readyz_without_any_worker_is_not_ready(anyone):
    status, body = readyz(anyone)
    assert status == 503
    assert body["checks"]["worker"] == {
        "ok": False, "age_seconds": None, "max_age_seconds": 90.0
    }  # fmt: skip


@pytest.mark.django_db
def test_readyz_with_unapplied_migrations_is_not_ready(anyone, monkeypatch):
    """A plan that is not empty is not kept: asked again once it is applied."""
    heartbeat_beat(name="w:1", started_at=timezone.now())
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("core", False)]
    )
    status, body = readyz(anyone)
    assert status == 503 and body["checks"]["migrations"] == {"ok": False, "unapplied": 1}
    monkeypatch.undo()
    assert readyz(anyone)[0] == 200


@pytest.mark.django_db
def test_heartbeat_rewrites_its_row_and_prunes_long_gone_workers():
    started = timezone.now()
    heartbeat_beat(name="gone:1", started_at=started)
    WorkerHeartbeat.objects.update(beat_at=started - PRUNE_AFTER - dt.timedelta(seconds=1))
    heartbeat_beat(name="here:2", started_at=started)
    heartbeat_beat(name="here:2", started_at=started)
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["here:2"]
    age = heartbeat_age()
    assert age is not None and age < 5


def test_health_checks_take_no_post(anyone):
    assert Client().post("/healthz").status_code in (403, 404, 405)
