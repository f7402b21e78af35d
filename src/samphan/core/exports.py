"""Every CSV and XLSX download is written here, so no cell can become a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also
after a leading tab or carriage return), so a customer who signs up as
``=HYPERLINK(...)`` would put a live link in staff's export. Following OWASP's "CSV
injection" rule, text that starts with one of those characters is written with a single
quote in front: the spreadsheet shows it as text. Numbers (``int``, ``float``,
``Decimal``) are written as they are, so ``-5`` stays a number; a phone ``+66…`` is text
and gets the quote. XLSX cells get the same prefix, so openpyxl stores a string, never a
formula. ``tests/test_exports.py`` downloads every export with such names.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would run, quoted; any
    other value (a number, a date, None) unchanged. Lazy translations become text."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_line(values: Iterable[Any]) -> str:
    """One CSV line (for a streamed download)."""
    line: str = csv.writer(_Echo()).writerow(safe_row(values))
    return line


def csv_lines(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """The lines of a streamed CSV, the first with a byte-order mark so Excel reads Thai."""
    writer = csv.writer(_Echo())
    for index, row in enumerate(rows):
        line: str = writer.writerow(safe_row(row))
        yield ("\ufeff" + line) if bom and index == 0 else line


def csv_text(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """A whole CSV, UTF-8 with a byte-order mark so Excel reads the Thai."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def xlsx_workbook(title: str, rows: Iterable[Sequence[Any]], *, write_only: bool = False) -> Any:
    """A one-sheet openpyxl workbook of ``rows``, every cell through ``safe_cell`` and
    Decimals as floats; the caller styles it and saves it with ``xlsx_bytes``.
    ``write_only`` keeps the rows on disk, not in memory, for a long list (it cannot be
    styled afterwards)."""
    # Imported here: openpyxl loads slowly and only the XLSX downloads need it.
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.title = title[:31]  # Excel's limit
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in safe_row(row)])
    return book


def xlsx_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_write(handle: Any, rows: Iterable[Iterable[Any]]) -> int:
    """Write ``rows`` to an open text ``handle`` (a file in a ZIP, say); the rows
    written. The caller opens it with ``encoding="utf-8-sig"`` for Excel's sake."""
    writer = csv.writer(handle)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


def xlsx_book() -> Any:
    """An empty write-only workbook for ``xlsx_sheet_write``: its rows go to disk as
    they come, so a sheet of a million rows costs no memory. Saved with ``book.save``."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def xlsx_sheet_write(book: Any, title: str, rows: Iterable[Sequence[Any]]) -> int:
    """A new sheet of ``rows`` in ``book`` (from ``xlsx_book``), every cell through
    ``safe_cell`` and Decimals as floats; the rows written."""
    sheet = book.create_sheet(title=title[:31])
    count = 0
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in safe_row(row)])
        count += 1
    return count
