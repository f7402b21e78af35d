"""Reading a customer import file into one :class:`Table`, whatever it was saved as.

``read_table`` takes the uploaded bytes and the file's name and gives headers and rows
of stripped strings, each row with the line (or sheet row) it came from, so errors can
name it. It reads CSV in UTF-8 (with or without BOM) or Thai Windows (cp874, which
includes TIS-620), with comma, semicolon or tab; XLSX (the first sheet or a chosen one);
vCard 2.1, 3.0 and 4.0; and recognises Google Contacts and Outlook CSV by their headers.
Anything else is refused with a :class:`ReadError` that says what is wrong, never a crash.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samphan.core import uploads
from samphan.core.csvfiles import CsvUnreadable, csv_numbered_records
from samphan.core.dates import (
    ENGLISH_MONTHS_ABBR,
    THAI_MONTHS_ABBR,
    DateTextError,
    christian_era_year,
    parse_date_text,
)

from .vcard import HEADERS as VCARD_HEADERS
from .vcard import VCardError, looks_like_vcard, read_vcards

MAX_ROWS = 200_000  # twice the 100,000 rows the issue promises; more is a wrong file
ENCODINGS = ("utf-8", "cp874")  # cp874 is TIS-620 plus a few Windows signs
DELIMITERS = ",;\t"
SNIFF_BYTES = 64 * 1024
# Headers only these exports write (Google: both its old and its 2023 layout).
GOOGLE_HEADERS = {"given name", "family name", "group membership", "e-mail 1 - value",
                  "phone 1 - value", "labels"}  # fmt: skip
OUTLOOK_HEADERS = {"e-mail address", "mobile phone", "business phone", "home phone",
                   "e-mail display name", "job title"}  # fmt: skip


class ReadError(ValidationError):
    """A file that cannot be read as a table; the message names the problem (and the
    line, when there is one)."""

    def __init__(self, message: str, *, code: str, line: int | None = None) -> None:
        super().__init__(message, code=code)
        self.line = line


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # every cell a stripped string, as long as ``headers``
    source_format: str  # "csv", "xlsx", "vcard", "google" or "outlook"
    encoding: str | None = None  # the text's encoding (CSV and vCard)
    sheets: list[str] = field(default_factory=list)  # an XLSX file's sheets, in order
    line_numbers: list[int] = field(default_factory=list)  # each row's line or sheet row


def read_table(
    data: bytes, file_name: str, *, encoding: str | None = None, sheet: str | None = None
) -> Table:
    """The file as a :class:`Table`; :class:`ReadError` when it cannot be one."""
    if len(data) > uploads.IMPORT.max_bytes:
        message = str(uploads.IMPORT.message) % {
            "size": len(data) / uploads.MB,
            "limit": uploads.IMPORT.max_bytes // uploads.MB,
        }
        raise ReadError(message, code="too_large")
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ReadError(_("The file is empty."), code="empty")
    suffix = PurePath(file_name).suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(data, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ReadError(
            _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV."),
            code="unknown_format",
        )
    text, used = _decode(data, encoding)
    if looks_like_vcard(text):
        return _read_vcard(text, used)
    if suffix in {".vcf", ".vcard"}:
        raise ReadError(_("This file does not start with BEGIN:VCARD."), code="not_vcard")
    return _read_csv(text, used)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    choices = (encoding,) if encoding else ENCODINGS
    for choice in choices:
        try:
            text = data.decode(choice)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_binary(text):
            break
        return text.removeprefix("\ufeff"), "utf-8-sig" if data.startswith(
            b"\xef\xbb\xbf"
        ) else choice
    raise ReadError(
        _("This file is not text in UTF-8 or Thai Windows (TIS-620): it is not a CSV, "
          "Excel (.xlsx) or vCard (.vcf) file."),
        code="unknown_format",
    )  # fmt: skip


def _looks_binary(text: str) -> bool:
    sample = text[:SNIFF_BYTES]
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) // 100


def _read_csv(text: str, encoding: str) -> Table:
    delimiter = _delimiter(text)
    try:
        numbered = csv_numbered_records(text, delimiter=delimiter)
    except CsvUnreadable as error:
        place = _("line %(line)d") % {"line": error.line}
        if error.column:
            place += _(", column “%(column)s”") % {"column": error.column}
        raise ReadError(f"{place}: {error.message}", code="unreadable", line=error.line) from None
    numbered = [(line, record) for line, record in numbered if any(cell.strip() for cell in record)]
    if not numbered:
        raise ReadError(_("The file is empty."), code="empty")
    (_first, header), *body = numbered
    headers = [cell.strip() for cell in header]
    source = _known_export(headers)
    return _table(headers, [record for _line, record in body], source,
                  encoding=encoding, line_numbers=[line for line, _record in body])  # fmt: skip


def _delimiter(text: str) -> str:
    """The file's delimiter: the sniffer's guess on the first lines, or else the one of
    comma, semicolon and tab the header line holds most of."""
    sample = text[:SNIFF_BYTES]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    header = sample.split("\n", 1)[0]
    counted = max(DELIMITERS, key=header.count)
    # The sniffer may pick a sign that only occurs inside the data; the header decides
    # when it disagrees and holds the other sign.
    if found and (header.count(found) or not header.count(counted)):
        return found
    return counted if header.count(counted) else ","


def _known_export(headers: list[str]) -> str:
    names = {header.lower() for header in headers}
    if len(names & GOOGLE_HEADERS) >= 2:
        return "google"
    if len(names & OUTLOOK_HEADERS) >= 2 and "first name" in names:
        return "outlook"
    return "csv"


def _table(
    headers: list[str],
    records: list[list[Any]],
    source_format: str,
    *,
    encoding: str | None = None,
    sheets: list[str] | None = None,
    line_numbers: list[int],
) -> Table:
    if not any(headers):
        raise ReadError(_("The first row has no column names."), code="no_header")
    if not records:
        raise ReadError(
            _("The file has a header row but no rows of customers under it."), code="no_rows"
        )
    if len(records) > MAX_ROWS:
        raise ReadError(
            _("The file has %(count)s rows; an import may have at most %(limit)s.")
            % {"count": f"{len(records):,}", "limit": f"{MAX_ROWS:,}"},
            code="too_many_rows",
        )
    width = max(len(headers), *(len(record) for record in records))
    headers = headers + [_("Column %(n)d") % {"n": n + 1} for n in range(len(headers), width)]
    rows = [[_cell(value) for value in record] + [""] * (width - len(record)) for record in records]
    return Table(headers, rows, source_format, encoding, sheets or [], line_numbers)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _read_vcard(text: str, encoding: str) -> Table:
    try:
        rows, lines = read_vcards(text)
    except VCardError as error:
        raise ReadError(str(error), code="unreadable") from None
    if not rows:
        raise ReadError(_("This vCard file holds no contacts."), code="no_rows")
    return _table(list(VCARD_HEADERS), rows, "vcard", encoding=encoding, line_numbers=lines)


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    # Imported here: openpyxl loads slowly and only XLSX imports need it.
    from openpyxl import load_workbook

    unreadable = ReadError(
        _("This Excel file cannot be read (it is damaged, protected or not really .xlsx)."),
        code="unreadable",
    )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (BadZipFile, KeyError, …)
        raise unreadable from error
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise ReadError(
                _("There is no sheet “%(sheet)s”; the sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(names)},
                code="no_sheet",
            )
        worksheet = book[sheet if sheet is not None else names[0]]
        numbered: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            record = list(values)
            while record and (record[-1] is None or str(record[-1]).strip() == ""):
                record.pop()
            if record:
                numbered.append((number, record))
            if len(numbered) > MAX_ROWS + 1:
                break
    except ReadError:
        raise
    except Exception as error:  # a damaged sheet inside a readable zip
        raise unreadable from error
    finally:
        book.close()
    if not numbered:
        raise ReadError(
            _("The sheet “%(sheet)s” is empty.") % {"sheet": worksheet.title}, code="empty"
        )
    (_first, header), *body = numbered
    return _table([_cell(value) for value in header], [record for _line, record in body], "xlsx",
                  sheets=names, line_numbers=[line for line, _record in body])  # fmt: skip


# Dates in import files: day first, either era, numbers or Thai/English month names.
_THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
                "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")  # fmt: skip
_ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july",
                   "august", "september", "october", "november", "december")  # fmt: skip
_MONTH_NUMBERS = {
    name.replace(".", "").lower(): number
    for names in (_THAI_MONTHS, THAI_MONTHS_ABBR, _ENGLISH_MONTHS, ENGLISH_MONTHS_ABBR)
    for number, name in enumerate(names, start=1)
}
_NAMED_MONTH = re.compile(r"(\d{1,2})\s*([^\d\s,]+?)\s*,?\s*(?:(?:พ\.ศ\.|ค\.ศ\.)\s*)?(\d+)")
_SHORT_YEAR = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2}")


def parse_import_date(text: str) -> dt.date | None:
    """A date as import files write it, or None for an empty cell: ``15/1/2530``,
    ``15-01-1987``, ``15.1.2530``, ``1987-01-15``, ``15 มกราคม 2530``, ``15 ม.ค. 2530``,
    ``15 Jan 1987``. Day first; a year from 2400 is B.E. A two-digit year is refused as
    ambiguous. Raises :class:`~samphan.core.dates.DateTextError` with a message to show."""
    text = " ".join(text.split())
    if not text:
        return None
    if _SHORT_YEAR.fullmatch(text):
        raise DateTextError(
            _("“%(text)s” has a two-digit year; write the whole year, e.g. 2530 or 1987.")
            % {"text": text}
        )
    match = _NAMED_MONTH.fullmatch(text)
    if not match:
        return parse_date_text(text.split(" ")[0] if _is_date_and_midnight(text) else text)
    day, month_name, year_text = match.groups()
    month = _MONTH_NUMBERS.get(month_name.replace(".", "").lower())
    if month is None:
        raise DateTextError(_("“%(text)s” is not a month.") % {"text": month_name})
    if len(year_text) != 4:
        raise DateTextError(
            _("“%(text)s” has a two-digit year; write the whole year, e.g. 2530 or 1987.")
            % {"text": text}
        )
    year = christian_era_year(int(year_text))
    return parse_date_text(f"{int(day)}/{month}/{year}")


def _is_date_and_midnight(text: str) -> bool:
    """``1987-01-15 00:00:00``, as spreadsheets save a date."""
    return text.endswith((" 00:00:00", " 00:00"))
