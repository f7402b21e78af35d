"""An unreachable database answers 503 with Retry-After, never a 500 traceback (issue 22):
the page in Thai and English rendered without the database, the API as JSON naming the
cause, whether the error comes from a view or from a middleware loading the session and
the user; /healthz still answers 200 and /readyz 503.

The requests run in a subprocess whose DATABASE_URL names a PostgreSQL port nothing
listens on: every connection is refused for real."""

import json
import os
import socket
import subprocess
import sys

import pytest

REQUESTS = """
import json
import django
django.setup()
from django.test import Client
answers = {}
def ask(name, client, method, path, **extra):
    response = getattr(client, method)(path, **extra)
    answers[name] = {"status": response.status_code, "retry_after": response.get("Retry-After"),
                     "type": response["Content-Type"], "body": response.content.decode()}
signed_in = Client(raise_request_exception=False)
signed_in.cookies["sessionid"] = "a-session-the-database-would-hold"
visitor = Client(raise_request_exception=False)
api = Client(raise_request_exception=False, headers={"Authorization": "Bearer some-token"})
ask("middleware", signed_in, "get", "/customers/")
ask("form", signed_in, "post", "/customers/new/", data={"first_name": "Malee"})
ask("view", visitor, "get", "/p/join/")
ask("api", api, "get", "/api/v1/customers")
ask("healthz", visitor, "get", "/healthz")
ask("readyz", visitor, "get", "/readyz")
print(json.dumps(answers))
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict[str, str | int | None]]:
    environment = os.environ | {
        "DATABASE_URL": f"postgres://samphan@127.0.0.1:{closed_port()}/samphan",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SAMPHAN_VAR_DIR": str(tmp_path_factory.mktemp("var")),
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", REQUESTS],
        env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    answers["log"] = {"body": result.stderr}
    return answers


@pytest.mark.parametrize("name", ["middleware", "view"])
def test_a_page_answers_the_maintenance_page_in_thai_and_english(answers, name):
    page = answers[name]
    assert page["status"] == 503 and page["retry_after"] == "10"
    assert str(page["type"]).startswith("text/html")
    body = str(page["body"])
    assert "ปิดปรับปรุงชั่วครู่" in body and "Closed for a moment" in body
    assert "Traceback" not in body
    assert 'http-equiv="refresh"' in body  # a GET tries again by itself


def test_a_form_sent_is_not_sent_again_by_the_page(answers):
    form = answers["form"]
    assert form["status"] == 503 and form["retry_after"] == "10"
    assert 'http-equiv="refresh"' not in str(form["body"])
    assert "ไม่ได้บันทึก" in str(form["body"])


def test_the_api_answers_503_json_naming_the_cause(answers):
    api = answers["api"]
    assert api["status"] == 503 and api["retry_after"] == "10"
    assert api["type"] == "application/json"
    assert json.loads(str(api["body"]))["code"] == "database_unavailable"


def test_liveness_answers_and_readiness_does_not(answers):
    assert answers["healthz"]["status"] == 200
    readyz = answers["readyz"]
    assert readyz["status"] == 503
    checks = json.loads(str(readyz["body"]))["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert checks["worker"] == {"ok": False, "skipped": "database"}


def test_each_answer_is_logged_in_one_line(answers):
    log = str(answers["log"]["body"])
    assert "GET /customers/: database unavailable (connection failed:" in log
    assert "GET /api/v1/customers: database unavailable (" in log
