"""The bytes of an outgoing e-mail, written directly.

Python's ``email`` package (which Django's ``EmailMessage`` uses) spends longer building
and folding one Thai message than everything else a hand-off costs, and several times the
budget of a campaign sent at 500 messages a second. The messages sent here
always have the same shape (a text part, maybe an HTML part, maybe files attached, a few
headers), so they are written as bytes: headers ASCII (RFC 2047 encoded words where they are not), bodies
UTF-8 in base64 with CRLF line ends (RFC 2045). Tests read every shape back with the
standard library's parser.
"""

import base64
import email.utils
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import NamedTuple

# 39 bytes of UTF-8 make 52 characters of base64: with "=?utf-8?b?", "?=" and a header's
# name ("Subject: ") the line stays within the 76 characters RFC 2047 allows.
WORD_BYTES = 39


class HeaderError(ValueError):
    """A header value that would break the message (a line break in an address)."""


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 encoded words, folded one to a line, never splitting a
    character between two words."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in text:
        width = len(char.encode())
        if size + width > WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return "\r\n ".join(
        "=?utf-8?b?" + base64.b64encode(word.encode()).decode("ascii") + "?=" for word in words
    )


def header_text(text: str) -> str:
    """Unstructured text (a subject): as it is when short plain ASCII, else encoded."""
    if text.isascii() and text.isprintable() and len(text) <= 70:
        return text
    return encoded_words(text)


def mailbox(address: str) -> str:
    """A ``Name <addr>`` or bare address, its name encoded when not plain ASCII."""
    return mailbox_of(*email.utils.parseaddr(address))


def mailbox_of(name: str, addr: str) -> str:
    """``mailbox`` from a name and an address given apart (a shop's name may hold a comma)."""
    addr = ascii_address(addr)
    if not name:
        return addr
    if name.isascii() and name.isprintable():
        return email.utils.formataddr((name, addr))
    return f"{encoded_words(name)} <{addr}>"


def ascii_address(address: str) -> str:
    """An address as SMTP without SMTPUTF8 takes it: a Thai domain in IDNA (xn--…); a
    ``HeaderError`` for a non-ASCII mailbox name, which such a server cannot take."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        raise HeaderError(f"not an address: {address!r}")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise HeaderError(f"not a domain: {domain!r}") from None
    return _plain(f"{local}@{domain}")


def _plain(value: str) -> str:
    if not value or not value.isascii() or not value.isprintable() or " " in value:
        raise HeaderError(f"not a plain ASCII address: {value!r}")
    return value


def _body(text: str) -> bytes:
    canonical = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return base64.encodebytes(canonical).replace(b"\n", b"\r\n")


def _part(subtype: str, text: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + _body(text)


class Attachment(NamedTuple):
    filename: str
    content_type: str  # "application/pdf"
    content: bytes


def _attachment(attachment: Attachment) -> bytes:
    name = attachment.filename
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        disposition = f'attachment; filename="{name}"'
    else:  # RFC 2231: a Thai file name, percent-encoded UTF-8
        disposition = f"attachment; filename*=utf-8''{urllib.parse.quote(name, safe='')}"
    return (
        f"Content-Type: {_plain_line(attachment.content_type)}\r\n"
        f"Content-Disposition: {disposition}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(attachment.content).replace(b"\n", b"\r\n")


def email_bytes(
    *,
    from_header: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    message_id: str,
    extra: Iterable[tuple[str, str]] = (),
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """A whole message: ``from_header`` already made by ``mailbox``; ``to`` a bare
    address; ``extra`` headers of plain ASCII (List-Unsubscribe …); ``attachments``
    after the text (multipart/mixed)."""
    headers = [
        ("From", from_header),
        ("To", ascii_address(to)),
        ("Subject", header_text(subject)),
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Message-ID", _plain(message_id)),
        ("MIME-Version", "1.0"),
        *((name, _plain_line(value)) for name, value in extra),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode()
    boundary = "=_samphan_" + message_id.strip("<>").partition("@")[0]
    body = (
        _part("plain", text)
        if not html
        else _multipart("alternative", boundary, [_part("plain", text), _part("html", html)])
    )
    if attachments:
        files = [_attachment(attachment) for attachment in attachments]
        body = _multipart("mixed", boundary + "_mixed", [body, *files])
    return head + body


def _multipart(subtype: str, boundary: str, parts: Sequence[bytes]) -> bytes:
    """The parts under one Content-Type header (the message's, or a part's own)."""
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    between = b"".join(f"--{boundary}\r\n".encode() + part for part in parts)
    return head + between + f"--{boundary}--\r\n".encode()


def _plain_line(value: str) -> str:
    if not value.isascii() or not value.isprintable():
        raise HeaderError(f"not a plain ASCII header: {value!r}")
    return value
