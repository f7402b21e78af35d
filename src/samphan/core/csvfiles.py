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


def csv_records(text: str) -> list[list[str]]:
    """The file's non-empty records, the header first; ``CsvUnreadable`` when one
    cannot be read."""
    consumed: list[str] = []  # the source lines of the record being read

    def lines() -> Iterator[str]:
        for line in io.StringIO(text.lstrip("\ufeff")):
            consumed.append(line)
            yield line

    reader = csv.reader(lines())
    records: list[list[str]] = []
    while True:
        consumed.clear()
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise _unreadable(records, "".join(consumed), error) from error
        if record:
            records.append(record)


def csv_dicts(records: list[list[str]], header: list[str]) -> list[dict[str, str]]:
    """Each record after the header as ``{column: value}``, as ``csv.DictReader`` would."""
    return [dict(zip(header, record, strict=False)) for record in records[1:]]


def _unreadable(records: list[list[str]], text: str, error: csv.Error) -> CsvUnreadable:
    row = len(records) + 1
    if "field larger than field limit" not in str(error):
        return CsvUnreadable(row, "", _("This row cannot be read as CSV (%(error)s).")
                             % {"error": error})  # fmt: skip
    index = _overlong_field(text)
    header = records[0] if records else []
    column = header[index].strip() if index < len(header) else _("column %(n)d") % {"n": index + 1}
    return CsvUnreadable(
        row,
        column,
        _("This field is longer than %(limit)s characters.") % {"limit": f"{FIELD_LIMIT:,}"},
    )


def _overlong_field(text: str) -> int:
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
        elif char == ",":
            index, length = index + 1, 0
        elif char not in "\r\n":
            length += 1
        if length > FIELD_LIMIT:
            break
    return index
