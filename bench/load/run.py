"""The load test (issue 22): Samphan in production mode on PostgreSQL under locust.

    python bench/load/run.py --customers 20000 --run-time 2m          # a quick look
    python bench/load/run.py --customers 100000 --run-time 10m        # the issue's run
    python bench/load/run.py --mix orders --orders-users 8 --run-time 1m   # orders/s alone
    make load LOAD_ARGS="--customers 20000 --run-time 2m"

Without DATABASE_URL it runs itself again under scripts/with-postgres.sh (a throwaway
PostgreSQL 15); with one, it migrates and fills THAT database. Then: ``samphan demo
--customers N``, the collected static files, ``samphan serve --no-worker --workers W`` and
one ``samphan worker`` (DEBUG off, two-factor optional so the demo staff sign in through
the login form), bench/load/fixtures.py, and locust headless from this machine with the
mix of bench/load/locustfile.py (``--mix full``: 50 alert screens, staff, a POS; ``--mix
orders``: POS clients posting orders of five lines on average with no pause, for orders/s
through the API; ``--mix probe``: one staff user with no pause, each request type's own
time; ``--mix full,probe,orders`` runs them in turn on the same server). Last,
with the servers stopped, bench/load/ingest.py: one order per call through the service
alone, as the full bench measures it. Prints one JSON summary and writes it, with locust's
CSV files and the servers' logs, under var/load/<time>/.
"""

import argparse
import csv
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.production import ROOT, free_port, on_postgresql, production_env, samphan

HERE = Path(__file__).resolve().parent
PASSWORD = os.environ.get("LOAD_PASSWORD") or "load-test-" + secrets.token_hex(8)
MIXES = {
    "full": ["AlertScreen", "Staff", "PosClient"],
    "orders": ["PosClientFlatOut"],
    "probe": ["StaffProbe"],
}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000, help="demo customers (N)")
    parser.add_argument("--workers", type=int, default=2, help="web processes (W)")
    parser.add_argument("--users", type=int, default=100, help="locust users (U), screens included")
    parser.add_argument("--screens", type=int, default=50, help="alert screens among the users")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=2,
        help="users started (and signed in) per second; the figures start once all are",
    )
    parser.add_argument(
        "--run-time", default="2m", help="measured time after the ramp-up (e.g. 30s, 2m, 10m)"
    )
    parser.add_argument(
        "--mix", default="full", help="full, orders, probe, or several in turn: full,probe,orders"
    )
    parser.add_argument("--orders-users", type=int, default=8, help="users of the orders mix")
    parser.add_argument(
        "--orders-run-time", help="measured time of the orders mix (--run-time); also of the probe"
    )
    parser.add_argument(
        "--no-service-orders",
        action="store_true",
        help="skip bench/load/ingest.py (one order per call through the service, alone)",
    )
    parser.add_argument(
        "--report", type=Path, help="only print an earlier summary.json as Markdown tables"
    )
    parser.add_argument("--out", type=Path, help="folder for the results (var/load/<time>)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database already holds a demo (DATABASE_URL, and LOAD_PASSWORD the demo "
        "staff's password): no migrate or demo, for runs one after another",
    )
    return parser.parse_args()


def script(name: str, env: dict[str, str]) -> str:
    """Run bench/load/<name> with the servers' settings; its standard output."""
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(HERE / name)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_listening(url: str, processes: list[subprocess.Popen[bytes]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            sys.exit("a server process ended before it answered; see its log")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 10 s while locust runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(10):
            self.samples.append(os.getloadavg()[0])


def stats(prefix: Path) -> dict[str, Any]:
    """locust's <prefix>_stats.csv as {name: figures}, "Aggregated" being the whole run."""
    rows: dict[str, Any] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as table:
        for row in csv.DictReader(table):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": round(float(row["Max Response Time"] or 0)),
            }
    failures: list[dict[str, str]] = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as table:
            failures = [dict(row) for row in csv.DictReader(table)]
    overall = rows.pop("Aggregated", {})
    return {"overall": overall, "by_type": rows, "failures": failures}


def seconds(text: str) -> int:
    """locust's durations: 90, 90s, 2m, 1h30m."""
    parts = re.findall(r"(\d+)([hms]?)", text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        sys.exit(f"--run-time: {text!r} is not a duration such as 30s, 2m or 10m")
    scale = {"h": 3600, "m": 60, "s": 1, "": 1}
    return sum(int(number) * scale[unit] for number, unit in parts)


def run_locust(
    mix: str, url: str, env: dict[str, str], out: Path, args: argparse.Namespace
) -> dict[str, Any]:
    users = {"full": args.users, "orders": args.orders_users, "probe": 1}[mix]
    run_time = args.run_time if mix == "full" else args.orders_run_time or args.run_time
    prefix = out / f"locust-{mix}"
    # The statistics are reset once every user has started (and signed in: a password
    # hash is ~1 CPU-second here), so the figures are the steady state's.
    ramp = int(users / args.spawn_rate) + 10
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{ramp + seconds(run_time)}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        *MIXES[mix],
    ]
    sampler = LoadSampler()
    before = os.getloadavg()
    sampler.start()
    with (out / f"locust-{mix}.log").open("wb") as log:
        subprocess.run(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    sampler.done.set()
    samples = sampler.samples or [os.getloadavg()[0]]
    return {
        "mix": mix,
        "users": users,
        "screens": min(args.screens, users) if mix == "full" else 0,
        "run_time": run_time,
        "ramp_up_s": ramp,
        "load_average": {
            "before_1m": round(before[0], 2),
            "during_mean_1m": round(sum(samples) / len(samples), 2),
            "during_max_1m": round(max(samples), 2),
            "after_1_5_15m": [round(value, 2) for value in os.getloadavg()],
        },
        **stats(prefix),
    }


def markdown(summary: dict[str, Any]) -> str:
    """A summary as docs/performance.md shows it: one table per mix, slowest p95 first."""
    lines = [f"Configuration: `{json.dumps(summary['configuration'])}`"]
    for run in summary["runs"]:
        load = run["load_average"]
        lines += [
            "",
            f"{run['mix']} mix, {run['users']} users ({run['screens']} alert screens), "
            f"{run['run_time']} measured after a {run['ramp_up_s']} s ramp-up; load average "
            f"{load['before_1m']} before, {load['during_mean_1m']} mean and "
            f"{load['during_max_1m']} max during",
            "",
            "| request type | requests | req/s | p50 ms | p95 ms | p99 ms | failures |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        rows = sorted(run["by_type"].items(), key=lambda item: -item[1]["p95_ms"])
        for name, row in [*rows, ("**overall**", run["overall"])]:
            lines.append(
                f"| {name} | {row['requests']:,} | {row['requests_per_s']} | {row['p50_ms']:.0f} "
                f"| {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['failures']} |"
            )
    if summary.get("service_one_order_per_call"):
        lines += ["", f"Service, one order per call: `{summary['service_one_order_per_call']}`"]
    return "\n".join(lines)


def main() -> None:
    args = arguments()
    if args.report:
        print(markdown(json.loads(args.report.read_text())))
        return
    on_postgresql()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = (args.out or ROOT / "var" / "load" / stamp).resolve()
    (out / "var").mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = production_env(out / "var", port)
    if args.reuse and not os.environ.get("LOAD_PASSWORD"):
        sys.exit("--reuse: set LOAD_PASSWORD to the demo staff's password")
    samphan(env, "collectstatic", "--noinput", "-v0", log=out / "collectstatic.log")
    demo_seconds = None
    if not args.reuse:
        samphan(env, "migrate", "-v0", log=out / "migrate.log")
        started = time.perf_counter()
        samphan(
            env,
            "demo",
            "--customers",
            str(args.customers),
            "--password",
            PASSWORD,
            "--quiet",
            log=out / "demo.log",
        )
        demo_seconds = round(time.perf_counter() - started)
    fixtures = script("fixtures.py", env)
    (out / "fixtures.json").write_text(fixtures)
    data = json.loads(fixtures)["counts"]
    web_log = (out / "web.log").open("wb")
    worker_log = (out / "worker.log").open("wb")
    serve = ["serve", "--no-worker", "--workers", str(args.workers)]
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "samphan", *command],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for command, log in ((serve, web_log), (["worker"], worker_log))
    ]
    runs = []
    try:
        wait_listening(url, processes, 120)
        locust_env = {
            **env,
            "LOAD_FIXTURES": str(out / "fixtures.json"),
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_SCREENS": str(args.screens),
            "LOAD_STAFF": str(max(args.users - args.screens, 1)),
        }
        for mix in args.mix.split(","):
            print(f"… locust, {mix} mix", file=sys.stderr, flush=True)
            runs.append(run_locust(mix, url, locust_env, out, args))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    service_orders = None
    if not args.no_service_orders:
        service_orders = json.loads(script("ingest.py", env).strip().splitlines()[-1])
    summary = {
        "when": stamp,
        "configuration": {
            "database": "postgresql",
            "customers": data["customers"],
            "web_processes": args.workers,
            "task_workers": 1,
            "cpus": os.cpu_count(),
            "demo_seconds": demo_seconds,
            "orders": data["orders"],
            "order_lines": data["order_lines"],
        },
        "runs": runs,
        "service_one_order_per_call": service_orders,
        "results": str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out),
    }
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    (out / "summary.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
