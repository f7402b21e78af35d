"""Messaging measures at scale, run by bench/measure.py: a campaign of 100,000 e-mails
queued in the outbox, then sent by a real worker process (``samphan worker``) to an SMTP
server on loopback in a process of its own; messages a second from the worker's start to
the last one recorded, and the worker's peak resident memory.

Target from issue 6: at least 500 messages a second on SQLite.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db.models import Count
from django.utils import timezone

from samphan.customers.models import ConsentRecord, ContactPoint
from samphan.messaging.models import Message
from samphan.messaging.outbox import Draft, messages_queue_many

ROOT = Path(__file__).resolve().parents[1]
RECIPIENTS = 100_000
TARGETS = {"messages_per_s": 500}


def measure_messaging() -> dict[str, Any]:
    audience = list(
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL)
        .order_by("customer_id")
        .distinct()
        .values_list("customer_id", "value")[:RECIPIENTS]
    )
    now = timezone.now()
    ConsentRecord.objects.bulk_create(
        (
            ConsentRecord(customer_id=pk, channel="email", purpose="marketing",
                          status="granted", at=now, source="import")
            for pk, _ in audience
        ),
        batch_size=5_000,
    )  # fmt: skip
    stamp = int(time.time())
    drafts = [
        Draft(pk, "email", "marketing", address, f"สวัสดีค่ะ ลูกค้าหมายเลข {pk}\nโปรโมชั่นเดือนนี้ ลด 20%",
              f"bench-{stamp}-{pk}", subject="โปรโมชั่นเดือนนี้")
        for pk, address in audience
    ]  # fmt: skip
    started = time.perf_counter()
    queued = messages_queue_many(drafts)
    queue_seconds = time.perf_counter() - started
    sent, seconds, peak_mb = _send(queued)
    return {
        "recipients": queued,
        "queue_seconds": round(queue_seconds, 1),
        "sent": sent,
        "seconds": round(seconds, 1),
        "messages_per_s": round(sent / seconds),
        "worker_peak_mb": peak_mb,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send(expected: int) -> tuple[int, float, int]:
    port = _free_port()
    sink = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port),
           "SAMPHAN_RATE_LIMITS": "email=0", "DEFAULT_FROM_EMAIL": "shop@samphan.test"}  # fmt: skip
    started = time.perf_counter()
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "samphan", "worker"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    peak_mb = 0
    try:
        while True:
            peak_mb = max(peak_mb, _peak_mb(worker.pid))
            queued = Message.objects.filter(status=Message.Status.QUEUED).count()
            if not queued:
                break
            assert worker.poll() is None, "the worker stopped"
            time.sleep(0.25)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        sink.terminate()
        received = int(sink.communicate(timeout=60)[0].strip() or 0)
    statuses = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    assert statuses.get("sent") == expected, statuses
    return received, seconds, peak_mb


def _peak_mb(pid: int) -> int:
    """The process's peak resident size so far (Linux's VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0
