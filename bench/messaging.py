"""Messaging measures at scale, run by bench/measure.py: a campaign to 100,000 customers
by e-mail, through the real path: a static list of them as the audience, the draw and
the queueing of every message (``campaigns_run``, timed in this process), then the sending
by a real worker process (``samphan worker``) to an SMTP server on loopback in a process
of its own; messages a second from the worker's start to the last one recorded, and the
worker's peak resident memory.

By hand on a database loaded before (`run.py --keep`):

    SAMPHAN_VAR_DIR=var/bench/sqlite-1000000 python bench/messaging.py

Target from issue 6: at least 500 messages a second on SQLite.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.db.models import Count
from django.utils import timezone

from samphan.accounts.models import User
from samphan.customers.models import ConsentRecord, ContactPoint
from samphan.customers.services import consents_rebuild
from samphan.marketing import campaigns, services
from samphan.marketing.models import Campaign
from samphan.messaging.models import Message

ROOT = Path(__file__).resolve().parents[1]
RECIPIENTS = 100_000
TARGETS = {"messages_per_s": 500}


def measure_messaging(admin: User) -> dict[str, Any]:
    audience = list(
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, customer__archived_at=None)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()[:RECIPIENTS]
    )
    now = timezone.now()
    ConsentRecord.objects.bulk_create(
        (
            ConsentRecord(customer_id=pk, channel="email", purpose="marketing",
                          status="granted", at=now, source="import")
            for pk in audience
        ),
        batch_size=5_000,
    )  # fmt: skip
    started = time.perf_counter()
    consents_rebuild()  # the records were written in bulk, past ``consent_record``
    rebuild_seconds = time.perf_counter() - started
    stamp = int(time.time())
    segment = services.segment_save(actor=admin, segment=None, name=f"bench {stamp}", kind="static")
    services.members_add(actor=admin, segment=segment, customer_ids=audience)
    campaign = campaigns.campaign_save(
        actor=admin,
        campaign=None,
        fields={"name": f"bench {stamp}", "segment_id": segment.pk, "channel": "email",
                "holdout_percent": 0},
        variants=[{"share": 100, "subject_th": "โปรโมชั่นเดือนนี้ของคุณ{{ nickname }}",
                   "text_th": "สวัสดีค่ะ คุณ{{ nickname }}\nโปรโมชั่นเดือนนี้ ลด 20% https://shop.example/sale"}],
    )  # fmt: skip
    campaigns.campaign_schedule(campaign=campaign)
    started = time.perf_counter()
    queued = campaigns.campaigns_run()
    queue_seconds = time.perf_counter() - started
    sent, seconds, peak_mb = _send(queued)
    campaigns.campaigns_run()
    return {
        "recipients": queued,
        "queue_seconds": round(queue_seconds, 1),
        "sent": sent,
        "seconds": round(seconds, 1),
        "messages_per_s": round(sent / seconds),
        "worker_peak_mb": peak_mb,
        "consents_rebuild_s": round(rebuild_seconds, 2),
        "campaign_status": Campaign.objects.get(pk=campaign.pk).status,
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
    sent_before = Message.objects.filter(status=Message.Status.SENT).count()
    started = time.perf_counter()
    worker = subprocess.Popen(
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
    assert statuses.get("sent", 0) - sent_before == expected, statuses
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


if __name__ == "__main__":
    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    print(json.dumps(measure_messaging(admin), ensure_ascii=False, indent=1))
