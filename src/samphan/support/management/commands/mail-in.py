import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from samphan.support.mailin import mail_receive

# What a mail server's pipe understands (sysexits.h): try again later.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Record mail to the support address: each FILE, or the standard input as a mail "
        "server's pipe gives it. A mail continues the ticket it answers or opens one; "
        "automatic replies, bulk mail and loops are ignored, bounces go to the outbox. "
        "Exits 75 (try again later) when the database is away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="raw messages (.eml); none: stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = [(name, Path(name).read_bytes) for name in options["files"]]
        if not sources:
            sources = [("stdin", sys.stdin.buffer.read)]
        for name, read in sources:
            try:
                result = mail_receive(read())
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror or error}") from error
            except DatabaseError as error:
                self.stderr.write(f"{name}: database unavailable ({error}); try again later")
                sys.exit(EX_TEMPFAIL)
            self.stdout.write(f"{name}: {result}")
