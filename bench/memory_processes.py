"""Memory of every process of a deployment (issue 22): ``samphan serve --no-worker
--workers W`` and ``samphan worker`` K times on PostgreSQL, in production mode, while each
web process loads its copy of the paid orders (``analytics.columns``) and after.

    python bench/memory_processes.py --customers 100000            # a throwaway PostgreSQL
    DATABASE_URL=postgres://… python bench/memory_processes.py     # that database as it is

Without DATABASE_URL it runs itself again under scripts/with-postgres.sh and loads
``samphan demo --customers N``; with one, it migrates, loads the demo only when the
database has no customer, and adds (or resets) a superuser ``bench-memory`` to sign in.
Then it starts the processes, samples every process's RSS and PSS (``/proc/PID/smaps_rollup``:
forked gunicorn workers share their master's pages, so PSS is what adds up) every half
second, and:

1. idle: 15 s after the web answers;
2. load: ``OrdersVersion`` bumped (as a refund does: every process reloads, and the
   workers' next round of snapshots recomputes them from their own columns), signed in
   as the superuser, three rounds of W concurrent requests to each page: top customers
   and the dashboard for a custom period (summed from the web process's columns) and
   for the presets (snapshots the workers then keep fresh). A gunicorn worker takes one
   request at a time, so W at once spread over the W of them; each process's growth in
   the summary shows that it loaded. Then it waits until no process's RSS grew for 40 s;
3. steady: the same pages again (answered from the loaded copies), sampled for 20 s.

Peak RSS is the kernel's high-water mark (VmHWM); peak PSS is the highest sample. The
PostgreSQL server's own processes are summed apart (PSS). Prints one JSON summary.
"""

import argparse
import concurrent.futures
import datetime as dt
import http.cookiejar
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.production import ROOT, free_port, on_postgresql, production_env, samphan

# A custom period (not a preset, which the worker's snapshots answer): the web process
# sums it from its columns, the top customers and the dashboard's buyers.
SINCE = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=200)).isoformat()
UNTIL = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=20)).isoformat()
CUSTOM = f"period=custom&since={SINCE}&until={UNTIL}"
# The presets' pages make snapshots that the workers keep fresh (from their own columns).
PAGES = [
    f"/insights/top/?{CUSTOM}",
    f"/insights/top/?{CUSTOM}&group=province",
    f"/?{CUSTOM}",
    "/",
    "/insights/top/",
]
USERNAME = "bench-memory"
INTERVAL = 0.5


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000, help="demo customers")
    parser.add_argument("--web", type=int, default=4, help="gunicorn workers (W)")
    parser.add_argument("--workers", type=int, default=2, help="`samphan worker` processes (K)")
    parser.add_argument("--settle", type=float, default=40, help="seconds with no RSS growth")
    parser.add_argument("--out", type=Path, help="folder for logs (var/memory/<time>)")
    return parser.parse_args()


# -- /proc -------------------------------------------------------------------------------------


def children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(root: int, tree: dict[int, list[int]]) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def kb_field(path: Path, name: str) -> int | None:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def memory(pid: int) -> dict[str, int] | None:
    base = Path(f"/proc/{pid}")
    rss, hwm = kb_field(base / "status", "VmRSS"), kb_field(base / "status", "VmHWM")
    pss = kb_field(base / "smaps_rollup", "Pss")
    if rss is None or hwm is None or pss is None:
        return None
    return {"rss": rss, "hwm": hwm, "pss": pss}


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def postmaster(port: int) -> int | None:
    """The PostgreSQL server listening on ``port`` (started with ``-p PORT``), if local."""
    for entry in Path("/proc").iterdir():
        line = command_line(int(entry.name)) if entry.name.isdigit() else ""
        if f"-p {port} " in line + " " and "postgres" in line.split()[0]:
            return int(entry.name)
    return None


class Sampler(threading.Thread):
    """Every INTERVAL: each process's RSS and PSS, by role, and the phase's sums."""

    def __init__(self, roots: dict[str, int], database: int | None) -> None:
        super().__init__(daemon=True)
        self.roots, self.database = roots, database
        self.phase = "start"
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.processes: dict[int, dict[str, Any]] = {}
        self.totals: dict[str, dict[str, int]] = {}
        self.last_growth = time.monotonic()

    def roles(self) -> dict[int, str]:
        tree = children()
        found: dict[int, str] = {}
        for name, root in self.roots.items():
            for pid in descendants(root, tree):
                if name != "web":
                    role = "samphan worker" if pid == root else "worker child"
                elif pid == root:
                    role = "samphan serve"
                elif pid in tree.get(root, []):
                    role = "gunicorn master"
                else:
                    role = "gunicorn worker"
                found[pid] = role
        if self.database:
            for pid in descendants(self.database, tree):
                found[pid] = "postgresql"
        return found

    def run(self) -> None:
        while not self.stopped.wait(INTERVAL):
            self.sample()

    def sample(self) -> None:
        sums: dict[str, int] = {"rss": 0, "pss": 0, "postgresql_pss": 0}
        with self.lock:
            for pid, role in self.roles().items():
                figures = memory(pid)
                if figures is None:
                    continue
                if role == "postgresql":
                    sums["postgresql_pss"] += figures["pss"]
                    continue
                entry = self.processes.setdefault(pid, {"role": role, "phases": {}})
                entry["role"] = role
                if figures["rss"] > entry.get("max_rss", 0) + 2048:
                    self.last_growth = time.monotonic()
                for key in ("rss", "pss"):
                    entry[f"max_{key}"] = max(entry.get(f"max_{key}", 0), figures[key])
                entry["hwm"] = figures["hwm"]
                entry["phases"][self.phase] = figures
                sums["rss"] += figures["rss"]
                sums["pss"] += figures["pss"]
            peak = self.totals.setdefault("peak", {"rss": 0, "pss": 0, "postgresql_pss": 0})
            for key, value in sums.items():
                peak[key] = max(peak[key], value)
            self.totals[self.phase] = sums


# -- the servers and the pages -----------------------------------------------------------------


SUPERUSER = """
from samphan.accounts.models import User
from samphan.customers.models import Customer
user = User.objects.filter(username={name!r}).first() or User(username={name!r})
user.is_superuser = user.is_staff = user.is_active = True
user.set_password({password!r})
user.save()
print(Customer.objects.count())
"""


BUMP = "from samphan.analytics import columns; columns.orders_changed()"


class Browser:
    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> int:
        with self.opener.open(self.url + path, timeout=300) as answer:
            answer.read()
            return int(answer.status)

    def sign_in(self, password: str) -> None:
        self.get("/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken") or ""
        form = {"username": USERNAME, "password": password, "csrfmiddlewaretoken": token}
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + "/login/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": self.url + "/login/"},
        )
        with self.opener.open(request, timeout=60) as answer:
            if "/login/" in answer.url:
                sys.exit("sign-in refused")


def wait_listening(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    sys.exit("the web server did not answer")


def rounds(browser: Browser, sampler: Sampler, web: int, count: int) -> list[float]:
    """``count`` rounds of ``web`` concurrent requests to each page; their times."""
    times: list[float] = []

    def one(path: str) -> float:
        started = time.perf_counter()
        if browser.get(path) != 200:
            sys.exit(f"{path} did not answer 200")
        return time.perf_counter() - started

    with concurrent.futures.ThreadPoolExecutor(web) as pool:
        for _ in range(count):
            for path in PAGES:
                times += pool.map(one, [path] * web)
    return times


def summary_of(sampler: Sampler) -> dict[str, Any]:
    mb = 1024
    processes = []
    for pid, entry in sorted(sampler.processes.items()):
        phases = entry["phases"]
        steady = phases.get("steady", {})
        idle = phases.get("idle", {})
        processes.append(
            {
                "pid": pid,
                "role": entry["role"],
                "rss_idle_mb": round(idle.get("rss", 0) / mb),
                "pss_idle_mb": round(idle.get("pss", 0) / mb),
                "rss_steady_mb": round(steady.get("rss", 0) / mb),
                "pss_steady_mb": round(steady.get("pss", 0) / mb),
                "rss_peak_mb": round(entry["hwm"] / mb),
                "pss_peak_mb": round(entry["max_pss"] / mb),
            }
        )
    totals = {
        phase: {key: round(value / mb) for key, value in sums.items()}
        for phase, sums in sampler.totals.items()
    }
    return {"processes": processes, "totals_mb": totals}


def main() -> None:
    args = arguments()
    on_postgresql()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = (args.out or ROOT / "var" / "memory" / stamp).resolve()
    (out / "var").mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    password = "bench-memory-" + secrets.token_hex(8)
    env = production_env(out / "var", port)
    samphan(env, "migrate", "-v0")
    samphan(env, "collectstatic", "--noinput", "-v0")
    code = SUPERUSER.format(name=USERNAME, password=password)
    customers = int(samphan(env, "shell", "-c", code).split()[-1])
    if not customers:
        print(f"… samphan demo --customers {args.customers}", file=sys.stderr, flush=True)
        samphan(env, "demo", "--customers", str(args.customers), "--quiet", "--password", password)
        customers = int(samphan(env, "shell", "-c", code).split()[-1])
    logs = [(out / name).open("wb") for name in ("web.log", "worker.log")]
    web = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "samphan", "serve", "--no-worker", "--workers", str(args.web)],
        env=env,
        cwd=ROOT,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "samphan", "worker"],
            env=env,
            cwd=ROOT,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
        )
        for _ in range(args.workers)
    ]
    roots = {"web": web.pid, **{f"worker{n}": w.pid for n, w in enumerate(workers)}}
    database_port = urllib.parse.urlsplit(os.environ["DATABASE_URL"]).port or 5432
    sampler = Sampler(roots, postmaster(database_port))
    sampler.start()
    result: dict[str, Any] = {"customers": customers, "web": args.web, "workers": args.workers}
    try:
        wait_listening(url, 180)
        sampler.phase = "idle"
        time.sleep(15)
        sampler.phase = "load"
        started = time.monotonic()
        # A changed order (as a refund makes): every process reloads, and the workers'
        # next round of snapshots (every 15 s) computes them, from the columns.
        samphan(env, "shell", "-c", BUMP)
        browser = Browser(url)
        browser.sign_in(password)
        result["load_request_s"] = sorted(rounds(browser, sampler, args.web, 3))[-1]
        sampler.last_growth = time.monotonic()
        while time.monotonic() - sampler.last_growth < args.settle:
            time.sleep(1)
        result["load_s"] = round(time.monotonic() - started - args.settle, 1)
        sampler.phase = "steady"
        times = rounds(browser, sampler, args.web, 3)
        result["steady_request_p50_s"] = round(sorted(times)[len(times) // 2], 3)
        time.sleep(20)
    finally:
        sampler.stopped.set()
        sampler.join()
        for process in [web, *workers]:
            process.terminate()
        for process in [web, *workers]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    result.update(summary_of(sampler))
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
