"""What the load test and the memory measure share: Samphan in production mode against
the PostgreSQL that DATABASE_URL names (or a throwaway one from scripts/with-postgres.sh),
its management commands run as subprocesses, and a free port on 127.0.0.1."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def on_postgresql() -> None:
    """Without DATABASE_URL, run this same command again under a throwaway PostgreSQL."""
    if not os.environ.get("DATABASE_URL"):
        wrapper = ["bash", str(ROOT / "scripts" / "with-postgres.sh")]
        os.execvp("bash", [*wrapper, sys.executable, *sys.argv])  # noqa: S606, S607


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(var_dir: Path, port: int) -> dict[str, str]:
    """DEBUG off, on 127.0.0.1:``port``, two-factor optional so staff sign in through the
    login form alone."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samphan.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_hex(24),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SAMPHAN_VAR_DIR": str(var_dir),
        "SAMPHAN_TWO_FACTOR_REQUIRED": "0",
        "SAMPHAN_BIND": f"127.0.0.1:{port}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def samphan(env: dict[str, str], *args: str, log: Path | None = None) -> str:
    """``samphan ARGS``' standard output; its output also to ``log``; exits on failure."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "samphan", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if log is not None:
        log.write_text(done.stdout + done.stderr)
    if done.returncode:
        sys.exit(f"samphan {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    print(f"… samphan {args[0]}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return done.stdout
