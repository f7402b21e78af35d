import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.messaging.bounces import BounceError, bounce_record


class Command(BaseCommand):
    help = (
        "Read bounces that came back as mail (delivery status notifications): each FILE, "
        "or the standard input, as a mail server's pipe gives it. A hard bounce fails the "
        "e-mail and puts the address on the suppression list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="raw messages (.eml); none: stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = [(name, Path(name).read_bytes) for name in options["files"]]
        if not sources:
            sources = [("stdin", sys.stdin.buffer.read)]
        refused = 0
        for name, read in sources:
            try:
                result = bounce_record(read())
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror or error}") from error
            except BounceError as error:
                refused += 1
                self.stderr.write(f"{name}: {error}")
                continue
            self.stdout.write(
                f"{name}: message {result.message_id} to {result.to}: {result.outcome}"
            )
        if refused:
            raise CommandError(f"{refused} of {len(sources)} not read.")
