"""The full export (issue 21, "Export"): every table of a small demo shop, as a ZIP of
CSVs and as one XLSX, has exactly the rows the database holds (counted here in plain
SQL, not with the export's own queries), restricted customers left out as the list
export leaves them out; formula payloads come out quoted; only administrators may ask
for it or download it, and both are audited."""

import csv
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.demo.loader import load_demo
from samphan.exports.build import data_export_create, data_export_run, data_exports_expire
from samphan.exports.models import DataExport
from samphan.exports.tables import TABLES
from samphan.marketing.models import Campaign, Recipient, Segment
from samphan.privacy.access_log import AccessExport, CustomerAccess
from tests.conftest import DEMO_MOMENT
from tests.factories import ContactPointFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://x","y")'
# Each table's rows, counted in plain SQL independently of the export's code; rows of a
# customer whose processing is restricted are left out.
COUNTS = {
    "customers": (
        "SELECT COUNT(*) FROM customers_customer c "
        "WHERE c.kind = 'person' AND c.processing_restricted_at IS NULL"
    ),
    "companies": (
        "SELECT COUNT(*) FROM customers_customer c "
        "WHERE c.kind = 'company' AND c.processing_restricted_at IS NULL"
    ),
    "contact_points": (
        "SELECT COUNT(*) FROM customers_contactpoint t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "customer_tags": (
        "SELECT COUNT(*) FROM customers_customer_tags t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "consents": (
        "SELECT COUNT(*) FROM customers_consentrecord t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "interactions": (
        "SELECT COUNT(*) FROM customers_interaction t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "orders": (
        "SELECT COUNT(*) FROM sales_order t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "order_lines": (
        "SELECT COUNT(*) FROM sales_orderline l JOIN sales_order t ON t.id = l.order_id "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "deals": (
        "SELECT COUNT(*) FROM sales_deal t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "quotes": (
        "SELECT COUNT(*) FROM sales_quote t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "quote_lines": (
        "SELECT COUNT(*) FROM sales_quoteline l JOIN sales_quote t ON t.id = l.quote_id "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "campaign_results": (
        "SELECT COUNT(*) FROM marketing_recipient t "
        "JOIN customers_customer c ON c.id = t.customer_id WHERE c.processing_restricted_at IS NULL"
    ),
    "campaigns": "SELECT COUNT(*) FROM marketing_campaign",
}
LISTED = "SELECT COUNT(*) FROM customers_customer c WHERE c.processing_restricted_at IS NULL"


def sql_count(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return int(cursor.fetchone()[0])


@pytest.fixture
def business(admin_user):
    """A small demo shop, a poisoned customer in a campaign, and a restricted customer."""
    with time_machine.travel(DEMO_MOMENT, tick=True):  # a moment whose demo has quotes
        load_demo(customers=40, seed=7, workers=0)
    poisoned = CustomerFactory(first_name=PAYLOAD, last_name="", nickname="+1", province="@SUM(A1)")
    ContactPointFactory(customer=poisoned, kind="line", value="-1+1")
    InteractionFactory(customer=poisoned, user=admin_user, summary=PAYLOAD)
    segment = Segment.objects.create(name=PAYLOAD, rules={"match": "all", "rules": []})
    campaign = Campaign.objects.create(name=PAYLOAD, segment=segment, channel="email")
    Recipient.objects.create(campaign=campaign, customer=poisoned, skipped=PAYLOAD)
    hidden = Customer.objects.people().filter(orders__isnull=False).first()
    assert hidden is not None
    Customer.objects.filter(pk=hidden.pk).update(processing_restricted_at=timezone.now())
    Recipient.objects.create(campaign=campaign, customer=hidden)
    return poisoned, hidden


def _built(admin_user, fmt: str) -> DataExport:
    export = data_export_create(actor=admin_user, fmt=fmt, language="th", enqueue=False)
    export = data_export_run(export)
    assert export.status == DataExport.Status.DONE, export.error
    return export


def _zip_tables(content: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline=""))
            )
            for name in archive.namelist()
        }


def _xlsx_tables(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_every_table_of_the_zip_has_the_databases_rows(admin_user, admin_client, business):
    export = _built(admin_user, "zip")
    tables = _zip_tables(_download(admin_client, f"/settings/export/{export.pk}/file/"))
    assert sorted(tables) == sorted(COUNTS) == sorted(table.name for table in TABLES)
    for name, statement in COUNTS.items():
        assert len(tables[name]) - 1 == sql_count(statement), name
        assert sql_count(statement) > 0, f"the demo shop has no {name}"
    assert export.rows_written == sum(len(rows) - 1 for rows in tables.values())
    assert export.tables_done == export.tables_total == len(TABLES)
    _poisoned, hidden = business
    assert str(hidden.pk) not in [row[0] for row in tables["customers"]]
    assert str(hidden.pk) not in [row[1] for row in tables["orders"]]
    # Codes with Thai labels beside them, ISO dates, money as numbers.
    head = tables["orders"][0]
    first = dict(zip(head, tables["orders"][1], strict=True))
    assert first["status"] == "paid" and first["status_label"] == "ชำระแล้ว"
    assert first["ordered_at"][:4].isdigit() and first["ordered_at"][4] == "-"
    float(first["total"])


def test_every_sheet_of_the_xlsx_has_the_databases_rows(admin_user, admin_client, business):
    export = _built(admin_user, "xlsx")
    sheets = _xlsx_tables(_download(admin_client, f"/settings/export/{export.pk}/file/"))
    assert sorted(sheets) == sorted(COUNTS)
    for name, statement in COUNTS.items():
        assert len(sheets[name]) - 1 == sql_count(statement), name
    head = sheets["orders"][0]
    first = dict(zip(head, sheets["orders"][1], strict=True))
    assert isinstance(first["total"], int | float)  # a number cell, not text


def test_payloads_come_out_quoted(admin_user, admin_client, business):
    for fmt in ("zip", "xlsx"):
        export = _built(admin_user, fmt)
        body = _download(admin_client, f"/settings/export/{export.pk}/file/")
        tables = _zip_tables(body) if fmt == "zip" else _xlsx_tables(body)
        cells = [cell for rows in tables.values() for row in rows for cell in row]
        texts = [cell for cell in cells if isinstance(cell, str)]
        assert "'" + PAYLOAD in texts and "'-1+1" in texts and "'@SUM(A1)" in texts
        assert not [t for t in texts if t.startswith(("=", "+", "@", "\t", "\r"))]
        if fmt == "xlsx":  # and no cell is a formula
            book = load_workbook(io.BytesIO(body))
            kinds = {c.data_type for sheet in book for row in sheet.iter_rows() for c in row}
            assert "f" not in kinds


def test_the_file_is_private_and_never_served_as_media(admin_user, admin_client, business):
    export = _built(admin_user, "zip")
    path = Path(settings.MEDIA_ROOT) / export.file_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert admin_client.get(f"/media/{export.file_path}").status_code == 404


def test_asking_and_downloading_are_audited_and_recorded_in_who_saw_whom(
    admin_user, admin_client, business
):
    response = admin_client.post("/settings/export/", {"format": "xlsx"})
    assert response.status_code == 302
    export = DataExport.objects.get()
    assert (
        AuditEvent.objects.filter(
            action="export", subject_type="exports.dataexport", subject_id=export.pk
        ).count()
        == 1
    )
    export = data_export_run(export)
    page = admin_client.get("/settings/export/")
    assert page.status_code == 200 and f"/settings/export/{export.pk}/file/" in page.text
    _download(admin_client, f"/settings/export/{export.pk}/file/")
    assert (
        AuditEvent.objects.filter(
            action="export", subject_type="exports.dataexport", subject_id=export.pk
        ).count()
        == 2
    )
    record = AccessExport.objects.get(user_id=admin_user.pk)
    listed = sql_count(LISTED)
    assert record.customers == listed
    _poisoned, hidden = business
    assert not CustomerAccess.objects.filter(export_id=record.pk, customer_id=hidden.pk).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_only_administrators_may_export(admin_user, make_user, role):
    export = _built(admin_user, "zip")
    client = Client()
    client.force_login(make_user(role))
    assert client.get("/settings/export/").status_code == 403
    assert client.post("/settings/export/", {"format": "zip"}).status_code == 403
    assert client.get(f"/settings/export/{export.pk}/").status_code == 403
    assert client.get(f"/settings/export/{export.pk}/file/").status_code == 403
    assert DataExport.objects.count() == 1


def test_a_bad_format_is_refused_and_nothing_is_queued(admin_client):
    response = admin_client.post("/settings/export/", {"format": "pdf"}, follow=True)
    assert response.status_code == 200
    assert DataExport.objects.count() == 0


def test_old_files_are_deleted_and_the_row_says_so(admin_user, admin_client):
    export = _built(admin_user, "zip")
    path = Path(settings.MEDIA_ROOT) / export.file_path
    assert data_exports_expire() == 0 and path.exists()
    later = timezone.now() + timezone.timedelta(days=8)
    assert data_exports_expire(now=later) == 1
    assert not path.exists()
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.file_path == ""
    assert admin_client.get(f"/settings/export/{export.pk}/file/").status_code == 404


def test_the_page_polls_while_it_runs_and_links_the_file_when_done(admin_user, admin_client):
    export = data_export_create(actor=admin_user, fmt="zip", language="th", enqueue=False)
    row = admin_client.get(f"/settings/export/{export.pk}/")
    assert 'hx-trigger="every 2s"' in row.text and "/file/" not in row.text
    data_export_run(export)
    row = admin_client.get(f"/settings/export/{export.pk}/")
    assert "hx-trigger" not in row.text and f"/settings/export/{export.pk}/file/" in row.text


def test_queries_do_not_grow_with_the_rows(admin_user):
    """One query per table (plus the progress writes), whatever the number of rows."""
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        export = data_export_create(actor=admin_user, fmt="zip", language="th", enqueue=False)
        with CaptureQueriesContext(connection) as captured:
            data_export_run(export)
        return len(captured)

    CustomerFactory()
    few = queries()
    for _ in range(30):
        customer = CustomerFactory()
        ContactPointFactory(customer=customer, kind="line", value="x")
        InteractionFactory(customer=customer, user=admin_user)
    assert queries() == few
