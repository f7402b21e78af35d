"""Every request gets an id (on its response and on every log record made while it runs),
its log line says who (by id only), what and how long, never the query string
(samphan.core.observe; docs/operations.md, "Logs, metrics and error reports")."""

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.test import Client

from samphan.accounts.models import Role
from samphan.core.observe import RequestContextFilter


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestContextFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access_lines(settings) -> Iterator[list[logging.LogRecord]]:
    settings.SAMPHAN_ACCESS_LOG = True  # read when a Client loads the middleware
    handler = Kept()
    logger = logging.getLogger("samphan.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_page_says_its_request_id_and_logs_one_line_by_user_id(access_lines, make_user):
    user = make_user(Role.ADMIN, email="somchai@example.com", first_name="สมชาย")
    client = Client()
    client.force_login(user)
    response = client.get("/customers/?q=0812345678")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    (line,) = access_lines
    assert (line.request_id, line.user_id) == (request_id, user.pk)  # type: ignore[attr-defined]
    fields = {key: getattr(line, key) for key in ("method", "path", "view", "status")}
    assert fields == {"method": "GET", "path": "/customers/", "view": "customer_list",
                      "status": 200}  # fmt: skip
    assert line.duration_ms > 0  # type: ignore[attr-defined]
    said = json.dumps(line.__dict__, default=str, ensure_ascii=False)
    for personal in ("0812345678", "somchai", "สมชาย", user.username):
        assert personal not in said


def test_a_token_in_the_path_is_masked_in_the_log(access_lines, db):
    Client().get("/p/unsubscribe/SeCrEtToKeN123/")
    (line,) = access_lines
    assert line.path == "/p/unsubscribe/[token]/"  # type: ignore[attr-defined]
    assert "SeCrEtToKeN123" not in line.getMessage()


@pytest.mark.parametrize(
    ("proxies", "sent", "kept"),
    [
        (1, "caddy-5f0e9c1a-2b7d", True),
        (0, "caddy-5f0e9c1a-2b7d", False),  # no proxy: the visitor wrote it
        (1, "two words", False),
        (1, 'x"\n{"level":"ERROR"}', False),  # would forge a log line
        (1, "x" * 129, False),
    ],
)
def test_the_request_id_comes_from_a_trusted_proxy_only(settings, db, proxies, sent, kept):
    settings.SAMPHAN_TRUSTED_PROXIES = proxies
    given = Client().get("/favicon.ico", headers={"X-Request-ID": sent})["X-Request-ID"]
    assert (given == sent) is kept
    if not kept:
        assert len(given) == 32


def test_json_lines_on_the_console(tmp_path):
    """The real settings with SAMPHAN_LOG_FORMAT=json: every line is a JSON object, the
    access line and Django's own warning carry the request's id, the query string is
    nowhere."""
    code = (
        "import django, logging; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(SERVER_NAME='127.0.0.1')\n"
        "print(client.get('/no-such-page/?phone=0812345678')['X-Request-ID'])\n"
        "logging.getLogger('samphan.test').warning('ปิดร้าน')\n"
    )
    (tmp_path / "static").mkdir()  # else WhiteNoise warns on stderr
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAMPHAN")}
    environment |= {"DJANGO_SETTINGS_MODULE": "samphan.settings", "SAMPHAN_LOG_FORMAT": "json",
                    "SAMPHAN_VAR_DIR": str(tmp_path)}  # fmt: skip
    found = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    request_id = found.stdout.strip()
    lines = [json.loads(line) for line in found.stderr.splitlines()]
    by_logger = {line["logger"]: line for line in lines}
    access = by_logger["samphan.request"]
    assert access["request_id"] == request_id
    assert {key: access[key] for key in ("method", "path", "status", "level", "user_id")} == {
        "method": "GET", "path": "/no-such-page/", "status": 404, "level": "INFO",
        "user_id": None,
    }  # fmt: skip
    assert by_logger["django.request"]["request_id"] == request_id  # Django's "Not Found"
    assert by_logger["samphan.test"] | {"timestamp": ""} == {
        "level": "WARNING", "logger": "samphan.test", "message": "ปิดร้าน", "request_id": "-",
        "user_id": None, "timestamp": "",
    }  # fmt: skip
    assert "0812345678" not in found.stderr
