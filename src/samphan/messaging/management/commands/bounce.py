from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.core.mailfiles import raw_mails
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
        refused = read = 0
        for name, raw in raw_mails(options["files"]):
            read += 1
            try:
                result = bounce_record(raw)
            except BounceError as error:
                refused += 1
                self.stderr.write(f"{name}: {error}")
                continue
            self.stdout.write(
                f"{name}: message {result.message_id} to {result.to}: {result.outcome}"
            )
        if refused:
            raise CommandError(f"{refused} of {read} not read.")
