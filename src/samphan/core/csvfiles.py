"""Reading an uploaded CSV file for an import: every record, or the row and column
that cannot be read (a field past the csv module's limit, a stray line break), so the
import can name them instead of failing with 500. The module's limit is left as it is:
no field of ours needs 128 KB, and a larger one is a wrong file, not data."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

FIELD_LIMIT = csv.field_size_limit()


@dataclass
class CsvUnreadable(Exception):  # noqa: N818 - reads as what happened
    row: int  # 1 is the header
    column: str
    message: str
    line: int = 0  # the file's line where the record starts, 1 the first


def csv_records(text: str, *, delimiter: str = ",") -> list[list[str]]:
    """The file's non-empty records, the header first; ``CsvUnreadable`` when one
    cannot be read."""
    return [record for _line, record in csv_numbered_records(text, delimiter=delimiter)]


def csv_numbered_records(text: str, *, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """As :func:`csv_records`, each record with the file's line it starts on (a quoted
    field may hold line breaks, so records and lines differ)."""
    consumed: list[str] = []  # the source lines of the record being read
    count = 0  # lines read so far

    def lines() -> Iterator[str]:
        nonlocal count
        for line in io.StringIO(text.lstrip("\ufeff")):
            consumed.append(line)
            count += 1
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    while True:
        consumed.clear()
        first = count + 1
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            header = records[0][1] if records else []
            unreadable = _unreadable(header, len(records), "".join(consumed), error, delimiter)
            unreadable.line = first
            raise unreadable from error
        if record:
            records.append((first, record))


def csv_dicts(records: list[list[str]], header: list[str]) -> list[dict[str, str]]:
    """Each record after the header as ``{column: value}``, as ``csv.DictReader`` would."""
    return [dict(zip(header, record, strict=False)) for record in records[1:]]


def _unreadable(
    header: list[str], read: int, text: str, error: csv.Error, delimiter: str
) -> CsvUnreadable:
    row = read + 1
    if "field larger than field limit" not in str(error):
        return CsvUnreadable(row, "", _("This row cannot be read as CSV (%(error)s).")
                             % {"error": error})  # fmt: skip
    index = _overlong_field(text, delimiter)
    column = header[index].strip() if index < len(header) else _("column %(n)d") % {"n": index + 1}
    return CsvUnreadable(
        row,
        column,
        _("This field is longer than %(limit)s characters.") % {"limit": f"{FIELD_LIMIT:,}"},
    )


def _overlong_field(text: str, delimiter: str = ",") -> int:
    """The position of the first field in ``text`` (one record's lines) that passes the
    limit, reading quotes as the csv module's default dialect does."""
    index = length = 0
    quoted = escaped = False
    for char in text:
        if escaped:  # the character after a quote inside quotes
            escaped = False
            if char == '"':
                length += 1
                continue
            quoted = False
        if quoted:
            if char == '"':
                escaped = True
            else:
                length += 1
        elif char == '"':
            quoted = True
        elif char == delimiter:
            index, length = index + 1, 0
        elif char not in "\r\n":
            length += 1
        if length > FIELD_LIMIT:
            break
    return index
