"""Reading the deployment files as systemd and sh read them, and running what they run."""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALL_ROOT = "/opt/samphan"  # where the units expect the checkout
UNITS = ("samphan-web.service", "samphan-worker.service")


def tool(name: str) -> str | None:
    """A tool of the venv (caddy, hadolint from the dev extra) or of the system."""
    local = ROOT / ".venv" / "bin" / name
    return str(local) if local.exists() else shutil.which(name)


def unit_text(name: str) -> str:
    """The unit as installed, with the checkout where /opt/samphan would be."""
    return (DEPLOY / name).read_text().replace(INSTALL_ROOT, str(ROOT))


def unit_settings(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def exec_start(name: str) -> list[str]:
    """The ExecStart command line of a unit, the checkout in place of /opt/samphan."""
    (command,) = unit_settings(name)["ExecStart"]
    return command.replace(INSTALL_ROOT, str(ROOT)).split()


def env_file_systemd(path: Path) -> dict[str, str]:
    """An EnvironmentFile as systemd reads it: KEY=value, # comments, "quoted" values."""
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[key.strip()] = value
    return values


def env_file_sh(path: Path) -> dict[str, str]:
    """The same file as deploy/samphan-manage reads it: sourced by sh with set -a."""
    script = 'set -a; . "$0"; set +a; env -0'
    out = subprocess.run(["sh", "-c", script, str(path)], env={"PATH": "/usr/bin:/bin"},
                         capture_output=True, check=True).stdout  # fmt: skip
    values = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    names = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", path.read_text(), re.MULTILINE))
    return {name: values[name] for name in names}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"stopped with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


def service_environment(env_file: Path, var_dir: Path) -> dict[str, str]:
    """What a unit's process gets: the EnvironmentFile and systemd's own few variables."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(var_dir), "LANG": "C.UTF-8",
            **env_file_systemd(env_file)}  # fmt: skip


def stop(process: subprocess.Popen[str], seconds: float = 30) -> int:
    """As systemctl stop does: SIGTERM, then wait."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"still running {seconds} s after SIGTERM") from None


def pass_through() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(("UV_", "PYTHAINLP"))}
