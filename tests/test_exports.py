"""Formula injection (issue 20): no CSV or XLSX download lets a spreadsheet run a cell.

Every export the product offers is in ``EXPORTS``; ``test_every_export_is_in_the_table``
fails when code writes a CSV or XLSX anywhere but ``core/exports.py`` or answers with a
spreadsheet content type from a module the table does not name. The other test fills
every name an export shows (customer, product, category, rep, team, province) with the
OWASP payloads and downloads each export.
"""

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from samphan.analytics.reports import KINDS
from samphan.core.exports import safe_cell
from samphan.customers.imports.jobs import import_job_run
from samphan.customers.models import ImportJob
from samphan.exports.build import data_export_run
from samphan.exports.models import DataExport
from samphan.marketing.models import Segment
from samphan.sales import services
from samphan.sales.models import Category
from samphan.sales.services import LineInput
from samphan.support.models import Category as SupportCategory
from samphan.support.services import ticket_open
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    ProductFactory,
    TagFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parent.parent / "src" / "samphan"
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

# (module that answers with the file, format, URL); {segment} is filled in by the test.
EXPORTS: list[tuple[str, str, str]] = [
    *(
        (
            "analytics/views.py",
            fmt,
            f"/insights/reports/?report={kind}&period=this_month&format={fmt}",
        )
        for kind in KINDS
        for fmt in ("csv", "xlsx")
    ),
    ("marketing/views.py", "csv", "/segments/{segment}/export/"),
    ("customers/views.py", "csv", "/customers/export/?format=csv"),
    ("customers/views.py", "xlsx", "/customers/export/?format=xlsx"),
    ("sales/views/productivity.py", "csv", "/sales/productivity/?period=this_month&format=csv"),
    *(
        ("support/views.py", fmt, f"/insights/support/?group={group}&format={fmt}")
        for group in ("category", "team")
        for fmt in ("csv", "xlsx")
    ),
    *(
        ("support/views.py", fmt, f"/insights/support/?table={table}&format={fmt}")
        for table in ("satisfaction", "nps")
        for fmt in ("csv", "xlsx")
    ),
    ("loyalty/dashboard_views.py", "csv", "/points/dashboard.csv"),
    ("loyalty/dashboard_views.py", "xlsx", "/points/dashboard.xlsx"),
]
# Exports whose file needs more than a URL to exist, each with its own test below.
OTHER_EXPORTS = {
    "customers/api/imports.py": "test_failed_import_rows_are_not_formulas",
    # The full export is built by the worker, then downloaded (tests/exports too).
    "exports/build.py": "test_full_export_cells_are_not_formulas",
}
# Modules that name a spreadsheet's type without answering with one.
NOT_EXPORTS = {
    "support/attachments.py": "the types of file kept from customers' mail",
}
WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(")
CONTENT_TYPES = re.compile(r"text/csv|spreadsheetml")


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(SRC)): path.read_text(encoding="utf-8")
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
    }


def test_every_export_is_in_the_table():
    sources = _sources()
    writers = sorted(name for name, text in sources.items() if WRITERS.search(text))
    assert writers == ["core/exports.py"], "write CSV/XLSX only through samphan.core.exports"
    answering = {name for name, text in sources.items() if CONTENT_TYPES.search(text)}
    answering.discard("core/exports.py")
    answering -= set(NOT_EXPORTS)
    assert answering == {module for module, _fmt, _url in EXPORTS} | set(OTHER_EXPORTS), (
        "a new export: add it to EXPORTS in tests/test_exports.py"
    )


@pytest.fixture
def poisoned(admin_user):
    """Every name an export shows, once per payload, with sales this month."""
    now = timezone.now()
    for payload in PAYLOADS:
        category = Category.objects.create(name=payload)
        product = ProductFactory(sku=payload, name=payload, category=category)
        team = TeamFactory(name=payload)
        rep = UserFactory(first_name=payload, last_name="", team=team)
        customer = CustomerFactory(
            display_name=payload, first_name=payload, last_name="", nickname=payload,
            province=payload, tier="gold",
        )  # fmt: skip
        ContactPointFactory(customer=customer, kind="line", value=payload)
        customer.tags.add(TagFactory(name=payload))
        services.order_record(
            actor=admin_user, customer=customer, channel="store", ordered_at=now,
            lines=[LineInput(product.pk, 1)], sold_by=rep,
        )  # fmt: skip
        InteractionFactory(customer=customer, user=rep)
        ticket_open(
            actor=None, subject=payload, body=payload, channel="phone", customer=customer,
            category=SupportCategory.objects.create(name=payload), team=team,
        )  # fmt: skip
    rules = {"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]}
    return Segment.objects.create(name="ทอง", rules=rules)


def _csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def _xlsx_cells(content: bytes) -> list[tuple[object, str]]:
    book = load_workbook(io.BytesIO(content))
    return [
        (cell.value, cell.data_type) for sheet in book for row in sheet.iter_rows() for cell in row
    ]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize(("module", "fmt", "url"), EXPORTS)
def test_no_export_cell_is_a_formula(admin_user, poisoned, module, fmt, url):
    client = Client()
    client.force_login(admin_user)
    response = client.get(url.format(segment=poisoned.pk))
    assert response.status_code == 200
    body = _body(response)
    check: Callable[[bytes], None] = _check_csv if fmt == "csv" else _check_xlsx
    check(body)


def _check_csv(body: bytes) -> None:
    cells = _csv_cells(body)
    bad = [cell for cell in cells if cell.startswith(DANGEROUS) and not _number(cell)]
    assert not bad, f"cells a spreadsheet would run: {bad}"


def _check_xlsx(body: bytes) -> None:
    cells = _xlsx_cells(body)
    formulas = [value for value, kind in cells if kind == "f"]
    assert not formulas, f"formula cells: {formulas}"
    bad = [v for v, _k in cells if isinstance(v, str) and v.startswith(DANGEROUS)]
    assert not bad, f"cells a spreadsheet would run: {bad}"


def _number(cell: str) -> bool:
    """A negative figure (-5, -12.50) is a number, which the exports keep as it is."""
    return re.fullmatch(r"-\d+(\.\d+)?", cell) is not None


def test_payloads_come_out_as_text_and_numbers_stay_numbers(admin_user, poisoned):
    client = Client()
    client.force_login(admin_user)
    segment = _csv_cells(_body(client.get(f"/segments/{poisoned.pk}/export/")))
    assert '\'=HYPERLINK("http://x","y")' in segment and "'+1" in segment
    report = client.get("/insights/reports/?report=category&period=this_month&format=xlsx")
    values = [value for value, _kind in _xlsx_cells(report.content)]
    assert "'-1+1" in values and "'@SUM(A1)" in values
    assert any(isinstance(value, float) for value in values)  # revenue, still a number


def test_only_text_is_quoted():
    assert [safe_cell(v) for v in (-5, -1.5, Decimal("-2.00"), None, "")] == [
        -5, -1.5, Decimal("-2.00"), None, ""
    ]  # fmt: skip
    assert safe_cell("+66812345678") == "'+66812345678"  # text: OWASP quotes by first char
    assert safe_cell("สมชาย -1") == "สมชาย -1"


def test_failed_import_rows_are_not_formulas(admin_user):
    """The failed rows come back as the file had them: a payload in a bad row is quoted."""
    rows = ["ชื่อ,เบอร์โทร"] + [f'"{p.replace(chr(34), chr(34) * 2)}",12345' for p in PAYLOADS]
    upload = SimpleUploadedFile("bad.csv", "\n".join(rows).encode("utf-8"))
    client = Client()
    client.force_login(admin_user)
    mapping = json.dumps({"0": "first_name", "1": "phone"})
    response = client.post("/api/v1/imports", {"file": upload, "mapping": mapping})
    assert response.status_code == 201, response.content
    import_job_run(ImportJob.objects.get(pk=response.json()["id"]))
    failed = client.get(f"/api/v1/imports/{response.json()['id']}/failed.csv")
    assert failed.status_code == 200
    _check_csv(failed.content)
    assert '\'=HYPERLINK("http://x","y")' in _csv_cells(failed.content)


@pytest.mark.parametrize("fmt", ["zip", "xlsx"])
def test_full_export_cells_are_not_formulas(admin_user, poisoned, fmt):
    """Every table of the full export, with every name poisoned: text comes back quoted."""
    client = Client()
    client.force_login(admin_user)
    assert client.post("/settings/export/", {"format": fmt}).status_code == 302
    export = data_export_run(DataExport.objects.get())
    body = _body(client.get(f"/settings/export/{export.pk}/file/"))
    if fmt == "xlsx":
        _check_xlsx(body)
        values = [value for value, _kind in _xlsx_cells(body)]
    else:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                _check_csv(archive.read(name))
            values = _csv_cells(archive.read("customers.csv"))
    assert '\'=HYPERLINK("http://x","y")' in values and "'@SUM(A1)" in values
