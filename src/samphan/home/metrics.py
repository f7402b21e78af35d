"""``GET /metrics``: Prometheus metrics, off unless SAMPHAN_METRICS=1 (404 then).

Who may read them: with SAMPHAN_METRICS_TOKEN set, a request with
``Authorization: Bearer <token>``, from anywhere; without a token, only a request from this
machine (loopback) that no proxy forwarded (no X-Forwarded-For). Anyone else: 403.

The request metrics (``samphan.core.observe``) are kept per process; under ``samphan
serve`` each gunicorn worker writes them to PROMETHEUS_MULTIPROC_DIR and this view sums
the files, so one scrape counts every worker. The queue and outbox figures are read from
the database at each scrape."""

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from samphan.core.models import WorkerHeartbeat
from samphan.core.sql import pick
from samphan.messaging.models import Message

# PostgreSQL: this database's open connections, every process's (one cheap statement).
CONNECTIONS_SQL = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"


def allowed(request: HttpRequest) -> bool:
    token = settings.SAMPHAN_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers:
        return False  # a proxy on this machine makes every visitor look local
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class DatabaseCollector(Collector):
    """Read at each scrape: tasks waiting, outbox messages by state, connections."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tasks = GaugeMetricFamily(
            "samphan_tasks", "Background tasks by queue and state.", labels=["queue", "state"]
        )
        counted = (
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            )
            .values_list("queue_name", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for queue, state, n in counted:
            tasks.add_metric([queue, state.lower()], n)
        yield tasks
        outbox = GaugeMetricFamily(
            "samphan_outbox_messages",
            "Outbox messages by channel and state.",
            labels=["channel", "state"],
        )
        by_state = Message.objects.values_list("channel", "status").annotate(n=Count("id"))
        for channel, state, n in by_state.order_by():
            outbox.add_metric([channel, state], n)
        yield outbox
        beats = GaugeMetricFamily(
            "samphan_worker_heartbeat_age_seconds",
            "Seconds since each worker process last wrote its heartbeat (silent a day: gone).",
            labels=["worker"],
        )
        now = timezone.now()
        for name, beat_at in WorkerHeartbeat.objects.values_list("name", "beat_at"):
            beats.add_metric([name], (now - beat_at).total_seconds())
        yield beats
        if pick(postgresql=CONNECTIONS_SQL, sqlite=""):
            with connection.cursor() as cursor:
                cursor.execute(CONNECTIONS_SQL)
                (open_connections,) = cursor.fetchone() or (0,)
            yield GaugeMetricFamily(
                "samphan_db_connections",
                "Connections open to this database (every process).",
                value=open_connections,
            )


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        found = CollectorRegistry()
        MultiProcessCollector(found)  # type: ignore[no-untyped-call]
    else:
        found = CollectorRegistry()
        found.register(_ProcessRegistry())
    found.register(DatabaseCollector())
    return found


class _ProcessRegistry(Collector):
    """This process's own metrics (a single process: `samphan runserver`, the tests)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from REGISTRY.collect()  # type: ignore[misc]


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.SAMPHAN_METRICS:
        raise Http404
    if not allowed(request):
        return HttpResponseForbidden("metrics: token or loopback required\n")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
