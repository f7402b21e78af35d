"""GET /metrics: 404 while off, 403 without the token or from afar, and then the request
latencies by view, the task queue and the outbox by state (samphan.home.metrics)."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samphan.customers.models import ConsentRecord
from samphan.messaging.models import Message
from tests.factories import CustomerFactory

TOKEN = "s3cret-scrape-token"


@pytest.fixture
def metrics_on(settings):
    settings.SAMPHAN_METRICS = True  # read when a Client loads the middleware
    settings.SAMPHAN_METRICS_TOKEN = ""
    return settings


def test_off_by_default_the_address_is_not_found(db):
    assert Client().get("/metrics").status_code == 404


def test_without_a_token_only_loopback_not_through_a_proxy(metrics_on, db):
    assert Client().get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert Client(REMOTE_ADDR="203.0.113.7").get("/metrics").status_code == 403
    proxied = Client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 403  # Caddy on this machine: every visitor is 127.0.0.1


def test_with_a_token_only_the_bearer_of_it(metrics_on, db):
    metrics_on.SAMPHAN_METRICS_TOKEN = TOKEN
    far = Client(REMOTE_ADDR="203.0.113.7")
    assert Client().get("/metrics").status_code == 403  # loopback is not enough then
    assert far.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert far.get("/metrics", headers={"Authorization": TOKEN}).status_code == 403
    answer = far.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") or line.startswith(f"{name} "):
            key, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in key for k, v in labels.items()):
                return float(value)
    raise AssertionError(f"no {name}{{{wanted}}} in\n{text}")


def test_latency_by_view_queue_and_outbox(metrics_on, admin_client):
    before = Client().get("/metrics").content.decode()
    try:
        seen = sample(before, "samphan_request_duration_seconds_count", view="customer_list")
    except AssertionError:
        seen = 0
    for _ in range(3):
        assert admin_client.get("/customers/?q=0812345678").status_code == 200
    customer = CustomerFactory()
    for status in ("queued", "queued", "sent", "failed"):
        Message.objects.create(
            key=uuid.uuid4(), customer=customer, channel="sms", to="+66812345678", text="x",
            purpose=ConsentRecord.Purpose.values[0], status=status,
        )  # fmt: skip
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="samphan.x", backend_name="default",
        queue_name="default", run_after=timezone.now(),
    )  # fmt: skip

    text = Client().get("/metrics").content.decode()
    count = sample(text, "samphan_request_duration_seconds_count", view="customer_list",
                   status="2xx")  # fmt: skip
    assert count == seen + 3
    assert sample(text, "samphan_outbox_messages", channel="sms", state="queued") == 2
    assert sample(text, "samphan_outbox_messages", channel="sms", state="failed") == 1
    assert sample(text, "samphan_tasks", queue="default", state="ready") == 1
    assert sample(text, "samphan_db_queries_total") > 0
    if connection.vendor == "postgresql":
        assert sample(text, "samphan_db_connections") >= 1
    else:
        assert "samphan_db_connections" not in text
    assert "0812345678" not in text and "/customers/" not in text  # views, not paths


def test_each_workers_heartbeat_age(metrics_on, db):
    from samphan.core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.create(
        name="node-1:4242", started_at=now, beat_at=now - timezone.timedelta(seconds=120)
    )
    text = Client().get("/metrics").content.decode()
    age = sample(text, "samphan_worker_heartbeat_age_seconds", worker="node-1:4242")
    assert 119 < age < 180
