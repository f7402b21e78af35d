"""The customer import's readers (issue 21, "Import", first bullet): every committed
fixture in tests/fixtures/imports/ is read into the same kind of table, in its real
encoding, and every bad file is refused with a message that names the problem."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook

from samphan.core import uploads
from samphan.core.dates import DateTextError
from samphan.customers.imports.readers import ReadError, Table, parse_import_date, read_table
from samphan.customers.imports.vcard import HEADERS as VCARD_HEADERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
THAI_HEADERS = ["ชื่อ", "นามสกุล", "ชื่อเล่น", "เบอร์โทร", "อีเมล", "วันเกิด", "หมายเหตุ"]


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def read(name: str, **kwargs: str) -> Table:
    return read_table((FIXTURES / name).read_bytes(), name, **kwargs)


def refusal(data: bytes, name: str, **kwargs: str) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_table(data, name, **kwargs)
    assert isinstance(caught.value, ValidationError)
    return caught.value


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("customers-utf8.csv", "utf-8"),
        ("customers-utf8-bom.csv", "utf-8-sig"),
        ("customers-cp874.csv", "cp874"),
    ],
)
def test_the_same_csv_in_each_encoding_reads_the_same(name, encoding):
    table = read(name)
    assert table.source_format == "csv"
    assert table.encoding == encoding
    assert table.headers == THAI_HEADERS  # no BOM left on the first header
    assert [row[0] for row in table.rows] == ["สมชาย", "สมหญิง", "John"]
    # A quoted field with a line break stays one cell; the next row starts on line 4.
    assert table.rows[0][6] == "ลูกค้าประจำ\nมาทุกวันเสาร์"
    assert table.line_numbers == [2, 4, 5]
    assert all(len(row) == len(table.headers) for row in table.rows)


def test_an_encoding_can_be_chosen():
    data = (FIXTURES / "customers-cp874.csv").read_bytes()
    assert read_table(data, "x.csv", encoding="cp874").rows[1][:2] == ["สมหญิง", "รักไทย"]
    # Read as the wrong encoding it is refused, not turned into mojibake silently.
    error = refusal(data, "x.csv", encoding="utf-8")
    assert "UTF-8" in error.messages[0]


def test_semicolon_and_tab_delimiters_are_found():
    semicolon = read("customers-semicolon.csv")
    assert semicolon.headers == ["ชื่อ", "นามสกุล", "เบอร์โทร", "ยอดซื้อ"]
    assert semicolon.rows == [
        ["สมชาย", "ใจดี", "0812345678", "1.234,50"],
        ["วิไล", "ศรีสุข", "0823456789", "99,00"],
    ]
    tab = read("customers-tab.tsv")
    assert tab.headers == ["ชื่อ", "นามสกุล", "จังหวัด", "เบอร์โทร"]
    assert tab.rows[1] == ["กานดา", "ทองดี", "กรุงเทพมหานคร", "0811112222"]


def test_xlsx_first_sheet_with_dates_as_iso_and_blank_rows_skipped():
    table = read("customers.xlsx")
    assert table.source_format == "xlsx"
    assert table.encoding is None
    assert table.sheets == ["ลูกค้า", "Suppliers"]
    assert table.headers == ["ชื่อ", "นามสกุล", "มือถือ", "วันเกิด", "ยอดซื้อ"]
    assert table.rows == [
        ["สมชาย", "ใจดี", "0812345678", "1987-01-15", "1500"],
        ["มาลี", "สวยงาม", "812345679", "1995-06-30", "99.5"],
    ]
    assert table.line_numbers == [2, 4]  # sheet rows; row 3 is blank


def test_xlsx_chosen_sheet_and_a_missing_one():
    table = read("customers.xlsx", sheet="Suppliers")
    assert table.headers == ["Company", "Tax ID"]
    assert table.rows == [["บริษัท ตัวอย่าง จำกัด", "0105551234567"]]
    error = refusal((FIXTURES / "customers.xlsx").read_bytes(), "c.xlsx", sheet="Sheet9")
    assert "Sheet9" in error.messages[0]
    assert "ลูกค้า, Suppliers" in error.messages[0]


def test_iphone_vcard_3():
    table = read("contacts-iphone.vcf")
    assert table.source_format == "vcard"
    assert table.headers == VCARD_HEADERS
    assert table.line_numbers == [1, 19]
    somchai = dict(zip(table.headers, table.rows[0], strict=True))
    assert somchai == {
        "Name": "คุณ สมชาย ใจดี",
        "First name": "สมชาย",
        "Last name": "ใจดี",
        "Nickname": "ชาย",
        "Mobile": "081 234 5678, 089-999-8888",
        "Phone": "02-123-4567",
        "E-mail": "somchai@example.com",
        "LINE": "somchai.line",
        "Birthday": "1987-01-15",
        "Address": "99/1 ถนนสุขุมวิท, คลองเตย, กรุงเทพมหานคร, 10110, ประเทศไทย",
        "Company": "ร้านใจดี การค้า",
        "Job title": "เจ้าของร้าน",
        "Note": "ชอบกาแฟ\nไม่ใส่น้ำตาล, ส่งของวันจันทร์",
    }
    john = dict(zip(table.headers, table.rows[1], strict=True))
    assert john["Phone"] == "+66 2 555 0000"
    assert john["Note"].endswith("longer than seventy-five characters.")  # folded line


def test_android_vcard_with_quoted_printable_thai_and_vcard_4():
    table = read("contacts-android.vcf")
    malee, wichai = (dict(zip(table.headers, row, strict=True)) for row in table.rows)
    assert malee["Name"] == "มาลี สวยงาม"  # QP with a soft line break
    assert (malee["First name"], malee["Last name"]) == ("มาลี", "สวยงาม")
    assert (malee["Mobile"], malee["Phone"]) == ("0891234567", "053-222-333")
    assert malee["Address"] == "12 ถ.นิมมานเหมินท์, เชียงใหม่, 50200"
    assert (malee["LINE"], malee["Birthday"]) == ("malee99", "1995-06-30")
    assert wichai["Mobile"] == "+66-81-555-1234"  # tel: URI, TYPE="cell,voice"
    assert wichai["LINE"] == "wichai.k"  # IMPP
    assert wichai["Birthday"] == "--0704"  # no year: kept as written
    assert wichai["Company"] == "บริษัท กล้าหาญ จำกัด ฝ่ายขาย"


def test_google_and_outlook_exports_are_recognised_and_keep_their_columns():
    google = read("google-contacts.csv")
    assert google.source_format == "google"
    assert google.headers[:4] == ["Name", "Given Name", "Additional Name", "Family Name"]
    assert google.rows[0][11] == "081-234-5678"
    outlook = read("outlook-contacts.csv")
    assert (outlook.source_format, outlook.encoding) == ("outlook", "cp874")
    assert outlook.headers[9:11] == ["Mobile Phone", "E-mail Address"]
    assert outlook.rows[0][:3] == ["สมชาย", "", "ใจดี"]


@pytest.mark.parametrize(
    ("data", "name", "code", "words"),
    [
        (b"", "empty.csv", "empty", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "blank.csv", "empty", "empty"),
        (b"\xef\xbb\xbf,,\n,,\n", "commas.csv", "empty", "empty"),
        ("ชื่อ,เบอร์โทร\n".encode(), "header.csv", "no_rows", "no rows"),
        (b"\xd0\xcf\x11\xe0" + bytes(100), "old.xls", "unknown_format", ".xls"),
        (b"BEGIN:VCARD\nFN:x\n", "open.vcf", "unreadable", "END:VCARD"),
        (b"FN:x\n", "notes.vcf", "not_vcard", "BEGIN:VCARD"),
        (b"BEGIN:VCARD\nEND:VCARD\n", "blank.vcf", "no_rows", "no contacts"),
    ],
)
def test_bad_files_are_refused_by_name(data, name, code, words):
    error = refusal(data, name)
    assert error.code == code
    assert words in error.messages[0]


def test_the_committed_bad_fixtures_are_refused():
    assert refusal(b"", "empty.csv").code == "empty"
    garbage = refusal((FIXTURES / "garbage.bin").read_bytes(), "garbage.csv")
    assert garbage.code == "unknown_format"
    truncated = refusal((FIXTURES / "truncated.xlsx").read_bytes(), "truncated.xlsx")
    assert truncated.code == "unreadable"
    assert "Excel" in truncated.messages[0]
    overlong = refusal((FIXTURES / "overlong-field.csv").read_bytes(), "overlong.csv")
    assert (overlong.code, overlong.line) == ("unreadable", 3)
    assert overlong.messages[0].startswith("line 3, column “หมายเหตุ”")


def test_a_file_past_the_upload_cap_is_refused_before_reading():
    error = refusal(b"a" * (uploads.IMPORT.max_bytes + 1), "big.csv")
    assert error.code == "too_large"
    assert "32 MB" in error.messages[0]


def test_garbage_named_xlsx_and_a_zip_without_a_workbook_are_refused():
    assert refusal(b"not a workbook at all", "x.xlsx").code == "unreadable"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert refusal(data.getvalue(), "x.csv").code == "unreadable"


def test_an_empty_sheet_and_a_header_only_sheet_are_refused():
    book = Workbook()
    book.create_sheet("Header")["A1"] = "ชื่อ"
    data = io.BytesIO()
    book.save(data)
    assert refusal(data.getvalue(), "x.xlsx").code == "empty"
    assert refusal(data.getvalue(), "x.xlsx", sheet="Header").code == "no_rows"


def test_ragged_rows_are_padded_and_extra_cells_get_a_column():
    table = read_table("ชื่อ,เบอร์\nสมชาย\nมาลี,081,extra\n".encode(), "x.csv")
    assert table.headers == ["ชื่อ", "เบอร์", "Column 3"]
    assert table.rows == [["สมชาย", "", ""], ["มาลี", "081", "extra"]]


def test_messages_are_thai_for_a_thai_reader():
    with translation.override("th"):
        assert refusal(b"", "x.csv").messages == ["ไฟล์นี้ว่างเปล่า"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/1/2530", dt.date(1987, 1, 15)),
        ("15/01/1987", dt.date(1987, 1, 15)),
        ("15-1-2530", dt.date(1987, 1, 15)),
        ("15.1.1987", dt.date(1987, 1, 15)),
        ("1987-01-15", dt.date(1987, 1, 15)),
        ("1987-01-15 00:00:00", dt.date(1987, 1, 15)),
        ("15 มกราคม 2530", dt.date(1987, 1, 15)),
        ("15 ม.ค. 2530", dt.date(1987, 1, 15)),
        ("15 ม.ค. พ.ศ. 2530", dt.date(1987, 1, 15)),
        ("1 ธันวาคม 1990", dt.date(1990, 12, 1)),
        ("29 ก.พ. 2567", dt.date(2024, 2, 29)),
        ("15 Jan 1987", dt.date(1987, 1, 15)),
        ("15 January, 1987", dt.date(1987, 1, 15)),
        ("", None),
        ("   ", None),
    ],
)
def test_import_dates(text, expected):
    assert parse_import_date(text) == expected


@pytest.mark.parametrize(
    "text", ["15/1/30", "15 ม.ค. 30", "0/0/00", "31/2/2530", "15 ฟฟฟ 2530", "yesterday", "1/1/1800"]
)
def test_bad_import_dates_are_refused_with_a_reason(text):
    with pytest.raises(DateTextError) as caught:
        parse_import_date(text)
    assert str(caught.value)
