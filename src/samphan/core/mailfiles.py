"""The mail a command reads as a mail server's pipe gives it, or from files."""

import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import CommandError


def raw_mails(files: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each file's name and bytes, read one at a time; the standard input's when none is
    named. A file that cannot be read stops the command, saying which."""
    if not files:
        yield "stdin", sys.stdin.buffer.read()
        return
    for name in files:
        try:
            raw = Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror or error}") from error
        yield name, raw
