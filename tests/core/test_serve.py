"""`samphan serve` listens where it says it does: the address it prints is the one it
serves, a busy default port moves to the next free one (a port the user chose never
moves), and the public URL in messages follows the served address unless it is set."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from samphan.core.address import Bind, bind_available, bind_from_environment, bind_parse


@contextmanager
def held_port() -> Iterator[int]:
    """A port another program listens on, for the test's duration."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("text", "expected", "url"),
    [
        ("127.0.0.1:8000", Bind("127.0.0.1", 8000, True), "http://127.0.0.1:8000"),
        ("0.0.0.0:80", Bind("0.0.0.0", 80, True), "http://127.0.0.1:80"),  # noqa: S104
        ("[::]:8443", Bind("::", 8443, True), "http://[::1]:8443"),
        ("[::1]:8001", Bind("::1", 8001, True), "http://[::1]:8001"),
        ("crm.local:9000", Bind("crm.local", 9000, True), "http://crm.local:9000"),
        ("8080", Bind("127.0.0.1", 8080, True), "http://127.0.0.1:8080"),
    ],
)
def test_bind_parse(text, expected, url):
    assert bind_parse(text) == expected
    assert expected.url == url
    assert bind_parse(str(expected)) == expected  # what serve hands gunicorn reads back


@pytest.mark.parametrize("text", ["", "host", "127.0.0.1:", "127.0.0.1:http", ":0", "h:70000"])
def test_bind_parse_refuses_what_is_not_an_address(text):
    with pytest.raises(ValueError, match="host:port"):
        bind_parse(text)


def test_the_environment_names_the_address_in_order():
    assert bind_from_environment({}) == Bind("127.0.0.1", 8000, chosen=False)
    assert bind_from_environment({"PORT": "5000"}) == Bind("127.0.0.1", 5000, True)
    both = {"PORT": "5000", "SAMPHAN_PORT": "8123"}
    assert bind_from_environment(both) == Bind("127.0.0.1", 8123, True)
    everything = {**both, "SAMPHAN_BIND": "0.0.0.0:80"}
    assert bind_from_environment(everything) == Bind("0.0.0.0", 80, True)  # noqa: S104
    assert bind_from_environment({"SAMPHAN_BIND": "", "PORT": ""}).chosen is False


def test_a_busy_default_port_moves_to_the_next_free_one_a_chosen_port_never():
    with held_port() as busy:
        moved = bind_available(Bind("127.0.0.1", busy, chosen=False))
        assert moved is not None and moved.port > busy
        assert bind_available(Bind("127.0.0.1", busy, chosen=True)) is None
    port = free_port()
    assert bind_available(Bind("127.0.0.1", port, chosen=True)) == Bind("127.0.0.1", port, True)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SAMPHAN_PUBLIC_URL",
                   "SAMPHAN_BIND", "SAMPHAN_PORT", "PORT"}}  # fmt: skip
    environment |= {"DJANGO_SETTINGS_MODULE": "samphan.settings", **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


PUBLIC_URL = "from django.conf import settings; print(settings.SAMPHAN_PUBLIC_URL)"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"SAMPHAN_BIND": "127.0.0.1:8123"}, "http://127.0.0.1:8123"),
        ({"SAMPHAN_PORT": "8124"}, "http://127.0.0.1:8124"),
        ({"SAMPHAN_BIND": "0.0.0.0:8125"}, "http://127.0.0.1:8125"),
        (
            {"SAMPHAN_PORT": "8126", "SAMPHAN_PUBLIC_URL": "https://crm.example/"},
            "https://crm.example",
        ),
    ],
)
def test_the_public_url_is_the_served_address_unless_set(tmp_path, env, expected):
    found = run_python(PUBLIC_URL, SAMPHAN_VAR_DIR=str(tmp_path), **env)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == expected


def test_a_bad_port_fails_loudly(tmp_path):
    found = run_python(PUBLIC_URL, SAMPHAN_VAR_DIR=str(tmp_path), SAMPHAN_PORT="eighty")
    assert found.returncode != 0
    assert "SAMPHAN_PORT" in found.stderr and "'eighty' is not host:port" in found.stderr


def serve(var_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samphan.settings",
           "SAMPHAN_VAR_DIR": str(var_dir)}  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "samphan", "serve", "--no-worker", "--workers", "1", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_prints_the_address_it_answers_on(tmp_path):
    port = free_port()
    server = serve(tmp_path, "--bind", f"127.0.0.1:{port}", "--timeout", "90")
    try:
        assert server.stdout is not None
        said = server.stdout.readline()  # the first line, once it listens
        assert said == f"Samphan is at http://127.0.0.1:{port}/ (Ctrl-C stops it)\n"
        answer = requests.get(
            f"http://127.0.0.1:{port}/favicon.ico", allow_redirects=False, timeout=60
        )
        assert answer.status_code == 302  # Django answered, at once: no worker was cold
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
    assert server.returncode == 0, errors
    assert "Booting worker" in errors


def test_serve_refuses_a_chosen_port_that_is_busy(tmp_path):
    with held_port() as busy:
        server = serve(tmp_path, "--bind", f"127.0.0.1:{busy}")
        _, errors = server.communicate(timeout=60)
    assert server.returncode != 0
    assert f"127.0.0.1:{busy} is in use by another program" in errors


def test_serve_refuses_an_address_of_another_machine(tmp_path):
    server = serve(tmp_path, "--bind", "192.0.2.1:8000")  # TEST-NET-1: never this machine's
    _, errors = server.communicate(timeout=60)
    assert server.returncode != 0
    assert "Cannot listen on 192.0.2.1:8000: Cannot assign requested address." in errors


def test_serve_refuses_a_bad_timeout(tmp_path):
    env_server = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "samphan", "serve", "--bind", f"127.0.0.1:{free_port()}"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "samphan.settings",
            "SAMPHAN_VAR_DIR": str(tmp_path),
            "SAMPHAN_REQUEST_TIMEOUT": "soon",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert env_server.returncode != 0
    assert "SAMPHAN_REQUEST_TIMEOUT must be a whole number" in env_server.stderr
