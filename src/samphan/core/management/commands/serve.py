import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.core.address import Bind, bind_available, bind_from_environment, bind_parse, listening

# Seconds a web worker may spend on one request before gunicorn kills it: above the slowest
# legitimate page on a busy machine (a forecast fitted cold, a quotation PDF, a report as
# XLSX; measured in docs/performance.md), with room to spare.
DEFAULT_TIMEOUT = 120


def positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise CommandError(f"{name} must be a whole number of seconds above 0, got {raw!r}")
    return int(raw)


def metrics_directory(env: dict[str, str]) -> Path:
    """Where each web process keeps its metrics for /metrics to sum (prometheus_client's
    multiprocess mode): PROMETHEUS_MULTIPROC_DIR, else var/prometheus; emptied at each
    start, or the counts of processes long gone would add up forever."""
    directory = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "prometheus")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return directory


class Command(BaseCommand):
    help = (
        "Serve Samphan in production mode: gunicorn (static files by WhiteNoise) and the task "
        "worker. Prints the address once it listens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            help="host:port (default: SAMPHAN_BIND, else 127.0.0.1 with SAMPHAN_PORT or PORT, "
            "else 127.0.0.1:8000 or the next free port)",
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument(
            "--timeout",
            type=int,
            help="seconds a request may take before its worker is restarted (default: "
            f"SAMPHAN_REQUEST_TIMEOUT, else {DEFAULT_TIMEOUT})",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args: object, **options: object) -> None:
        bind = self._bind(options["bind"])
        timeout = options["timeout"] or positive_int("SAMPHAN_REQUEST_TIMEOUT", DEFAULT_TIMEOUT)
        # The children read the same address (the public URL's default) from the environment.
        env = {**os.environ, "SAMPHAN_BIND": str(bind)}
        if settings.SAMPHAN_METRICS:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_directory(env))
        # Samphan's own access log (no query strings) replaces gunicorn's.
        access_log = [] if settings.SAMPHAN_ACCESS_LOG else ["--access-logfile", "-"]
        web = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "samphan.wsgi",
                "--bind",
                str(bind),
                "--workers",
                str(options["workers"]),
                # The app (settings, every view: samphan.wsgi loads the URLs) is loaded once,
                # before the server listens, and each worker starts from it: no request waits
                # for an import, and a worker restarted after a timeout is up at once.
                "--preload",
                "--timeout",
                str(timeout),
                *access_log,
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )

        processes = [web]

        def stop(signum: int, _frame: object) -> None:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            if self._wait_until_listening(bind, web):
                self.stdout.write(f"Samphan is at {bind.url}/ (Ctrl-C stops it)")
                self.stdout.flush()
                # Started once the web server is up: on two cores, loading both at once
                # made the first page wait for the worker's start too.
                if not options["no_worker"]:
                    worker = [sys.executable, "-m", "samphan", "worker"]
                    processes.append(subprocess.Popen(worker, env=env))  # noqa: S603
            code = web.wait()
        finally:
            stop(signal.SIGTERM, None)
            for process in processes[1:]:
                process.wait(timeout=15)
        sys.exit(code)

    def _bind(self, option: object) -> Bind:
        try:
            wanted = bind_parse(str(option)) if option else bind_from_environment(os.environ)
        except ValueError as error:
            raise CommandError(f"--bind, SAMPHAN_BIND, SAMPHAN_PORT or PORT: {error}") from error
        try:
            found = bind_available(wanted)
        except OSError as error:  # an address not of this machine, a name that does not resolve
            raise CommandError(f"Cannot listen on {wanted}: {error.strerror or error}.") from error
        if found is None:
            raise CommandError(
                f"{wanted} is in use by another program: stop it, or choose another address "
                "(--bind, SAMPHAN_BIND or SAMPHAN_PORT)."
            )
        if found != wanted:
            self.stdout.write(
                f"Port {wanted.port} is in use by another program: using {found.port}."
            )
        return found

    @staticmethod
    def _wait_until_listening(bind: Bind, web: subprocess.Popen[bytes]) -> bool:
        """Until gunicorn accepts connections (True), or it has stopped (False)."""
        while web.poll() is None:
            if listening(bind):
                return True
            time.sleep(0.2)
        return False
