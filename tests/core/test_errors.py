"""Error reports to Sentry (samphan.core.errors): a failing view is reported to the DSN's
server, a real HTTP server on 127.0.0.1 here, and the report holds no cookie, no session,
no query string and nothing the customer typed: only the place, the request id and the
user's id."""

import gzip
import io
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from wsgiref.util import setup_testing_defaults

import brotli
import pytest
import sentry_sdk
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.errors import sentry_init

CSRF = "csrfCookieValue9f8e7dAbCdEfGhIjK"  # a token's form: 32 letters and digits


class Envelopes(BaseHTTPRequestHandler):
    received: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.received.append(body.decode())
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sentry_server() -> Iterator[list[str]]:
    received: list[str] = []
    handler = type("Kept", (Envelopes,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sentry_init(
        dsn=f"http://0123456789abcdef@127.0.0.1:{server.server_port}/42",
        environment="test",
        release="samphan@test",
        traces_rate=0.0,
    )
    try:
        yield received
    finally:
        sentry_sdk.get_client().close(timeout=5)
        sentry_sdk.init()  # no DSN: reporting off again for the other tests
        server.shutdown()
        server.server_close()


def events(received: list[str]) -> list[dict[str, object]]:
    """The event items of the envelopes: a header line, then item header and payload."""
    found = []
    for envelope in received:
        lines = envelope.split("\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


@pytest.mark.urls("tests.core.sentry_urls")
def test_a_failing_view_is_reported_without_personal_data(sentry_server, make_user):
    """Through Django's WSGI application itself, handed an environ as gunicorn hands it over
    (cookies, body, query string), in this thread; the report travels over real HTTP to the
    DSN's server. (pytest-django's live server dropped the connection now and then on a
    loaded machine; the test client skips the WSGI entry point the SDK wraps.)"""
    admin_user = make_user(Role.ADMIN, email="somchai@example.com")
    signed_in = Client()
    signed_in.force_login(admin_user)
    session = signed_in.cookies["sessionid"].value
    body = urllib.parse.urlencode(
        {"name": "สมชาย ใจดี", "phone": "0891112222", "csrfmiddlewaretoken": CSRF}
    ).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/till/",
        "QUERY_STRING": "email=somchai@example.com",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF}",
        "HTTP_REFERER": "http://testserver/customers/?q=0891112222",
    }
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []
    # As the test client does: the request's start and end must not close the test's
    # database connection (its transaction holds the user and the session).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = get_wsgi_application()(
            environ, lambda status, headers, *_: started.append((status, headers))
        )
        b"".join(chunks)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    response = SimpleNamespace(status_code=int(status.split()[0]), headers=dict(headers))
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    deadline = time.monotonic() + 10
    while not events(sentry_server) and time.monotonic() < deadline:
        time.sleep(0.1)
    (event,) = events(sentry_server)
    sent = "\n".join(sentry_server)
    assert "the till jammed" in sent and "RuntimeError" in sent
    assert event["request"] == {"method": "POST", "url": "http://testserver/till/"}
    assert event["user"] == {"id": str(admin_user.pk)}
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]  # type: ignore[index]
    assert (event["environment"], event["release"]) == ("test", "samphan@test")
    for secret in (session, "sessionid", CSRF, "somchai", "0891112222",
                   "สมชาย", json.dumps("สมชาย")[1:-1], admin_user.username):  # fmt: skip
        assert secret not in sent, secret


def test_nothing_is_set_up_without_a_dsn(tmp_path):
    """The real settings, SAMPHAN_SENTRY_DSN unset: the SDK stays off."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAMPHAN")}
    environment |= {"DJANGO_SETTINGS_MODULE": "samphan.settings", "SAMPHAN_VAR_DIR": str(tmp_path)}
    code = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    found = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert (found.returncode, found.stdout) == (0, "False\n"), found.stderr
    found = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environment | {"SAMPHAN_SENTRY_DSN": "http://k@127.0.0.1:9/1"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (found.returncode, found.stdout) == (0, "True\n"), found.stderr  # nothing is sent
