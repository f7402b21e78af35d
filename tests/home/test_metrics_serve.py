"""/metrics under a real `samphan serve --workers 2`: the request counts of both gunicorn
workers are summed (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR under
var/ emptied at each start)."""

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.core.test_serve import free_port
from tests.home.test_metrics import sample

PAGES = 24  # per round, 8 at a time: both workers take some
# Its view: a page without the database or static files (a fresh var/ has neither
# collected static files nor, here, a need for them).
FAVICON = "django.views.generic.base.RedirectView"


def fetch(url: str) -> int:
    return requests.get(url, allow_redirects=False, timeout=60).status_code


def test_serve_sums_the_workers_counts(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SAMPHAN")}
    env |= {"DJANGO_SETTINGS_MODULE": "samphan.settings", "SAMPHAN_VAR_DIR": str(tmp_path),
            "SAMPHAN_METRICS": "1"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "samphan", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    stale = tmp_path / "prometheus" / "counter_4242.db"  # left by an earlier run
    stale.parent.mkdir()
    stale.write_bytes(b"not a metrics file")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")  # a pipe nobody reads would fill and block
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "samphan", "serve", "--no-worker", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("Samphan is at")
        assert not stale.exists()
        served = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(5):  # until both workers have answered (bounded)
                answers = list(pool.map(fetch, [f"{base}/favicon.ico"] * PAGES))
                assert set(answers) == {302}
                served += PAGES
                if len(workers_with_metrics(tmp_path / "prometheus")) >= 2:
                    break
        assert len(workers_with_metrics(tmp_path / "prometheus")) >= 2
        text = requests.get(f"{base}/metrics", timeout=60).text
        assert sample(text, "samphan_request_duration_seconds_count", view=FAVICON,
                      status="3xx") == served  # fmt: skip
        far = requests.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.7"},
                           timeout=60)  # fmt: skip
        assert far.status_code == 403
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
        log.close()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()


def workers_with_metrics(directory: Path) -> set[str]:
    """The process ids that wrote a histogram file (histogram_<pid>.db)."""
    return {path.stem.partition("_")[2] for path in directory.glob("histogram_*.db")}
