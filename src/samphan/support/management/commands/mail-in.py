import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from samphan.core.mailfiles import raw_mails
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
        for name, raw in raw_mails(options["files"]):
            try:
                result = mail_receive(raw)
            except DatabaseError as error:
                self.stderr.write(f"{name}: database unavailable ({error}); try again later")
                sys.exit(EX_TEMPFAIL)
            self.stdout.write(f"{name}: {result}")
