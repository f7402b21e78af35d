"""The first start, timed: `samphan serve` until it says it listens, then the first
requests a new user makes (the login page, the home page, the forecast panel) and the
slowest pages there are (a quotation PDF, reports as XLSX), each the first time and again.

    python bench/first_start.py --password PASSWORD              # an idle machine
    python bench/first_start.py --password PASSWORD --load 2     # both cores kept busy

Run it in a checkout whose database is set up (`samphan setup` with demo data, the admin's
password given here). It starts and stops its own server (on --bind) and, with --load,
that many busy loops; results in docs/performance.md ("The first start").
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SAMPHAN = ROOT / ".venv" / "bin" / "samphan"
BUSY_LOOP = "while True: pass"


def busy_loops(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]  # noqa: S603


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM (serve stops its own children), then SIGKILL its process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def serve(bind: str) -> tuple[subprocess.Popen[str], float]:
    """Start the server; the seconds until it accepts connections (what it waits for
    before it prints its address; polled here, so that older versions are timed alike)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        [str(SAMPHAN), "serve", "--bind", bind],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own group, so that stop() can end all of it
    )
    # Drained, or the access log would fill the pipe and block the server.
    threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
    host, _, port = bind.rpartition(":")
    while process.poll() is None:
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
            return process, time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    sys.exit(f"serve stopped before it listened (exit {process.wait()})")


def timed(session: requests.Session, url: str, **kwargs: object) -> dict[str, object]:
    started = time.perf_counter()
    try:
        response = session.get(url, timeout=600, **kwargs)  # type: ignore[arg-type]
        status: object = response.status_code
    except requests.RequestException as error:  # a worker killed mid-request: no answer
        status = type(error).__name__
    return {"status": status, "seconds": round(time.perf_counter() - started, 2)}


def log_in(session: requests.Session, base: str, password: str) -> None:
    for _ in range(10):  # until the login page answers (a killed worker's does not)
        if "csrftoken" in session.cookies:
            break
        timed(session, f"{base}/login/")
    response = session.post(
        f"{base}/login/",
        data={
            "username": "admin",
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        timeout=600,
    )
    if "sessionid" not in session.cookies:
        sys.exit(f"could not log in as admin (HTTP {response.status_code}): check --password")


def first_pages(base: str, password: str) -> dict[str, dict[str, object]]:
    session = requests.Session()
    found = {"login page": timed(session, f"{base}/login/")}
    found["login page, again"] = timed(session, f"{base}/login/")
    log_in(session, base, password)
    quotes = session.get(f"{base}/sales/quotes/", timeout=600).text
    quote = re.search(r"/sales/quotes/(\d+)/", quotes)
    pages = {
        "home (dashboard)": "/",
        "forecast panel": "/insights/forecast/",
        "quotation PDF": f"/sales/quotes/{quote.group(1)}/pdf/" if quote else "",
        "report XLSX, products, 12 months": "/insights/reports/?report=product"
        "&period=last_12_months&format=xlsx",
        "report XLSX, RFM segments": "/insights/reports/?report=segment&format=xlsx",
    }
    for name, path in pages.items():
        if path:
            found[name] = timed(session, base + path)
            found[f"{name}, again"] = timed(session, base + path)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--password", default=os.environ.get("SAMPHAN_ADMIN_PASSWORD", ""))
    parser.add_argument("--bind", default="127.0.0.1:8104")
    parser.add_argument("--load", type=int, default=0, help="busy loops beside the server")
    options = parser.parse_args()
    with ExitStack() as cleanup:
        for loop in busy_loops(options.load):
            cleanup.callback(loop.wait)
            cleanup.callback(loop.kill)
        process, listening = serve(options.bind)
        base = f"http://{options.bind}"
        cleanup.callback(stop, process)
        results = {"load": options.load, "listening after": round(listening, 2)}
        results |= first_pages(base, options.password)
        results["load average"] = os.getloadavg()[0]
    for name, value in results.items():
        print(f"{name:40} {value}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
