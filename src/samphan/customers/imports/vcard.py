"""vCard files (.vcf) as phones export them, read into rows under fixed headers.

iPhones write vCard 3.0 (``item1.TEL;type=CELL``, ``X-SOCIALPROFILE``), Android phones
write 2.1 with ``CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE`` for every Thai value, and
newer apps write 4.0 (``TEL;VALUE=uri:tel:+66...``). Folded lines (a line break then a
space) and quoted-printable soft breaks (``=`` at the end of a line) are joined first.
A card with several phones or e-mails keeps them all in one cell, joined by ", ".
"""

import datetime as dt
import quopri
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

HEADERS = [
    "Name",
    "First name",
    "Last name",
    "Nickname",
    "Mobile",
    "Phone",
    "E-mail",
    "LINE",
    "Birthday",
    "Address",
    "Company",
    "Job title",
    "Note",
]
MOBILE_TYPES = {"cell", "mobile", "iphone"}
LIST_SEPARATOR = ", "
_BDAY_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_BDAY_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class VCardError(ValueError):
    """A file that starts like a vCard but is not one; the message says where."""


@dataclass
class _Card:
    line: int
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, header: str, value: str) -> None:
        value = value.strip()
        if value and value not in self.values.setdefault(header, []):
            self.values[header].append(value)

    def row(self) -> list[str]:
        return [LIST_SEPARATOR.join(self.values.get(header, [])) for header in HEADERS]


def looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD")


def read_vcards(text: str) -> tuple[list[list[str]], list[int]]:
    """Each card's row under :data:`HEADERS` and the line its ``BEGIN:VCARD`` is on."""
    rows: list[list[str]] = []
    lines: list[int] = []
    card: _Card | None = None
    for number, line in _logical_lines(text.lstrip("\ufeff")):
        name, params, value = _split(line)
        if name == "BEGIN" and value.upper() == "VCARD":
            card = _Card(number)
        elif name == "END" and value.upper() == "VCARD":
            if card is None:
                raise VCardError(
                    _("Line %(line)d ends a card that never began.") % {"line": number}
                )
            if any(card.values.values()):
                rows.append(card.row())
                lines.append(card.line)
            card = None
        elif card is not None and name:
            _read_property(card, name, params, _decode(value, params))
    if card is not None:
        raise VCardError(
            _("The card that begins on line %(line)d has no END:VCARD.") % {"line": card.line}
        )
    return rows, lines


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded lines with the number of the physical line each starts on."""
    result: list[tuple[int, str]] = []
    soft_break = False  # the previous line ended with a quoted-printable "="
    for number, raw in enumerate(text.splitlines(), start=1):
        if result and (soft_break or raw[:1] in (" ", "\t")):
            start, previous = result[-1]
            if soft_break:
                result[-1] = (start, previous[:-1] + raw.lstrip())
            else:
                result[-1] = (start, previous + raw[1:])
        elif raw.strip():
            result.append((number, raw))
        else:
            soft_break = False
            continue
        current = result[-1][1]
        soft_break = (
            current.endswith("=") and "QUOTED-PRINTABLE" in current.split(":", 1)[0].upper()
        )
    return result


def _split(line: str) -> tuple[str, dict[str, list[str]], str]:
    """``item1.TEL;TYPE=CELL,VOICE:081`` → ``("TEL", {"TYPE": ["cell", "voice"]}, "081")``."""
    head, colon, value = _partition_unquoted(line)
    if not colon:
        return "", {}, ""
    parts = head.split(";")
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, equals, given = part.partition("=")
        if not equals:  # vCard 2.1: a bare TYPE (CELL) or encoding (QUOTED-PRINTABLE)
            key, given = (
                ("ENCODING", part)
                if part.upper() in {"QUOTED-PRINTABLE", "BASE64", "B"}
                else ("TYPE", part)
            )
        values = [item.strip().strip('"').lower() for item in given.split(",") if item.strip()]
        params.setdefault(key.strip().upper(), []).extend(values)
    return name, params, value


def _partition_unquoted(line: str) -> tuple[str, str, str]:
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], ":", line[index + 1 :]
    return line, "", ""


def _decode(value: str, params: dict[str, list[str]]) -> str:
    if "quoted-printable" not in params.get("ENCODING", []):
        return value
    charset = (params.get("CHARSET") or ["utf-8"])[0]
    raw = quopri.decodestring(value.encode("ascii", "replace"))
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _components(value: str) -> list[str]:
    """The parts of a structured value (N, ADR, ORG), split on unescaped ";"."""
    return [_unescape(part).strip() for part in re.split(r"(?<!\\);", value)]


def _read_property(card: _Card, name: str, params: dict[str, list[str]], value: str) -> None:
    types = set(params.get("TYPE", []))
    if name == "FN":
        card.add("Name", _unescape(value))
    elif name == "N":
        parts = [*_components(value), "", ""]
        card.add("Last name", parts[0])
        card.add("First name", " ".join(part for part in parts[1:3] if part))
    elif name == "NICKNAME":
        for nickname in re.split(r"(?<!\\),", value):
            card.add("Nickname", _unescape(nickname))
    elif name == "TEL":
        number = _unescape(value).removeprefix("tel:")
        card.add("Mobile" if types & MOBILE_TYPES else "Phone", number)
    elif name == "EMAIL":
        card.add("E-mail", _unescape(value).removeprefix("mailto:"))
    elif name == "BDAY":
        card.add("Birthday", _birthday(_unescape(value)))
    elif name == "ADR":
        card.add("Address", LIST_SEPARATOR.join(part for part in _components(value) if part))
    elif name == "ORG":
        card.add("Company", " ".join(part for part in _components(value) if part))
    elif name == "TITLE":
        card.add("Job title", _unescape(value))
    elif name == "NOTE":
        card.add("Note", _unescape(value))
    elif name == "X-LINE":
        card.add("LINE", _unescape(value))
    elif name == "IMPP" and (
        value.lower().startswith("line:") or "line" in params.get("X-SERVICE-TYPE", [])
    ):
        card.add("LINE", _unescape(value).split(":", 1)[-1])
    elif name == "X-SOCIALPROFILE" and "line" in types:
        user = params.get("X-USER") or [_unescape(value).rsplit("/", 1)[-1]]
        card.add("LINE", user[0])


def _birthday(value: str) -> str:
    """ISO ``YYYY-MM-DD`` when the card gives a whole day (``19870115``,
    ``1987-01-15T00:00:00Z``); otherwise as written (``--0115``, no year)."""
    day = value.strip()[:10]
    match = _BDAY_ISO.fullmatch(day) or _BDAY_COMPACT.fullmatch(value.strip()[:8])
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            pass
    return value.strip()
