"""A busy database answers 503 with Retry-After, not 500; a long import commits in short
transactions so the front desk's writes wait for one batch at most (issue 20 §1)."""

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from samphan.accounts.models import Role, User
from samphan.customers.models import Customer
from samphan.marketing import services as marketing_services
from samphan.marketing.models import Segment, SegmentMember
from samphan.sales.models import Product
from samphan.sales.services import products
from tests.factories import CustomerFactory

# Runs against a real file-backed SQLite database while another connection holds the
# write lock (BEGIN IMMEDIATE), as a long import would. The busy timeout is shortened so
# the test does not wait the production five seconds.
LOCKED = """
import json, sqlite3, sys
import django
django.setup()
from django.db import connection
options = connection.settings_dict["OPTIONS"]
options["init_command"] = options["init_command"].replace("busy_timeout=5000", "busy_timeout=50")
from django.test import Client
from samphan.accounts.models import User
from samphan.accounts.services import token_create
user = User.objects.create_user("desk", password="x", is_superuser=True, is_staff=True,
                                language=sys.argv[2])
page = Client(raise_request_exception=False)
page.force_login(user)
api = Client(raise_request_exception=False, headers={"Authorization": "Bearer " + token_create(user=user, name="t")})
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
answers = {}
for name, response in (
    ("page", page.post("/customers/new/", {"first_name": "Malee", "stage": "lead",
                                            "tier": "none"})),
    ("api", api.post("/api/v1/customers", {"first_name": "Malee"},
                     content_type="application/json")),
):
    answers[name] = {"status": response.status_code,
                     "retry_after": response.get("Retry-After"),
                     "type": response["Content-Type"],
                     "body": response.content.decode()}
holder.execute("ROLLBACK")
answers["written"] = User.objects.count()
print(json.dumps(answers))
"""


def run_locked(tmp_path: Path, language: str) -> dict[str, dict[str, object]]:
    database = tmp_path / "samphan.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(database)
    connection.connection.backup(target)  # the migrated test schema, into a real file
    target.close()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment |= {"SAMPHAN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", LOCKED, str(database), language],
        env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file lock")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "words"), [("en", "The database is busy"), ("th", "ฐานข้อมูลกำลังไม่ว่าง")]
)
def test_a_locked_database_answers_503_with_retry_after(tmp_path, language, words):
    answers = run_locked(tmp_path, language)
    page, api = answers["page"], answers["api"]
    assert page["status"] == 503 and page["retry_after"] == "2"
    assert page["type"].startswith("text/html") and words in page["body"]
    assert api["status"] == 503 and api["retry_after"] == "2"
    assert api["type"] == "application/json"
    assert json.loads(api["body"])["code"] == "database_busy"


@pytest.fixture
def english_admin(transactional_db) -> Client:
    user = User.objects.create_user("importer", password="x", language="en")
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    client = Client()
    client.force_login(user)
    return client


@contextmanager
def rows_per_commit(table: str) -> Iterator[list[int]]:
    """The rows inserted into ``table`` by each transaction committed meanwhile."""
    committed: list[int] = []
    pending = {"rows": 0, "watching": False}

    def committed_now() -> None:
        committed.append(pending["rows"])
        pending.update(rows=0, watching=False)

    def count(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{table}"'):
            if "UNNEST" in sql:  # PostgreSQL's bulk insert: one array a column
                pending["rows"] += len(params[0])
            else:
                columns = sql[sql.index("(") + 1 : sql.index(")")].count(",") + 1
                pending["rows"] += len(params) // columns
            if not pending["watching"]:
                pending["watching"] = True
                transaction.on_commit(committed_now)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield committed


def test_a_long_import_commits_in_batches(english_admin, monkeypatch):
    """Each transaction of the import writes at most ``IMPORT_BATCH`` products; every
    row is checked before the first."""
    monkeypatch.setattr(products, "IMPORT_BATCH", 40)
    rows = "".join(f"P-{n},สินค้า {n},10\n" for n in range(100))
    body = ("sku,name,list_price\n" + rows).encode()
    with rows_per_commit(Product._meta.db_table) as committed:
        response = english_admin.post(
            "/sales/products/import/", {"file": SimpleUploadedFile("p.csv", body)}
        )
    assert response.status_code == 200, response.content
    assert Product.objects.count() == 100
    assert committed == [40, 40, 20]


def test_a_long_static_list_import_commits_in_batches(english_admin, monkeypatch):
    monkeypatch.setattr(marketing_services, "IMPORT_BATCH", 12)
    listed = Segment.objects.create(name="จาก CSV", kind="static")
    ids = [CustomerFactory().pk for _ in range(30)]
    body = ("customer_id\n" + "".join(f"{pk}\n" for pk in ids)).encode()
    with rows_per_commit(SegmentMember._meta.db_table) as committed:
        response = english_admin.post(
            f"/segments/{listed.pk}/members/import/", {"file": SimpleUploadedFile("l.csv", body)}
        )
    assert response.status_code == 302, response.content
    assert committed == [12, 12, 6]
    assert listed.members.count() == 30


def test_a_bad_row_late_in_a_long_import_writes_nothing(english_admin, monkeypatch):
    monkeypatch.setattr(products, "IMPORT_BATCH", 40)
    rows = "".join(f"P-{n},สินค้า {n},10\n" for n in range(99)) + "P-99,ผิด,abc\n"
    body = ("sku,name,list_price\n" + rows).encode()
    response = english_admin.post(
        "/sales/products/import/", {"file": SimpleUploadedFile("p.csv", body)}
    )
    assert response.status_code == 400
    assert not Product.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's lock_timeout")
def test_a_lock_timeout_on_postgresql_answers_503(english_admin):
    """Another session holds the customers table; this one gives up after lock_timeout
    (SQLSTATE 55P03), which answers 503 like SQLite's busy database."""
    other = connection.copy()  # a second, real session on the same database
    try:
        with other.cursor() as cursor:
            other.set_autocommit(False)
            cursor.execute(f'LOCK TABLE "{Customer._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
            with connection.cursor() as mine:
                mine.execute("SET lock_timeout = '100ms'")
            english_admin.raise_request_exception = False
            data = {"first_name": "Malee", "stage": "lead", "tier": "none"}
            response = english_admin.post("/customers/new/", data)
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as mine:
            mine.execute("RESET lock_timeout")
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert "The database is busy" in response.content.decode()
