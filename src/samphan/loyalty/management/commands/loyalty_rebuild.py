import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from samphan.loyalty.services import members_rebuild


class Command(BaseCommand):
    help = (
        "Check every member's points balance against the sum of their ledger rows and "
        "mend any that differ (--check: only report them, exit 1 when one differs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="report, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            wrong = members_rebuild()
            if options["check"]:
                transaction.set_rollback(True)
        seconds = time.perf_counter() - started
        verb = "differ" if options["check"] else "mended"
        self.stdout.write(f"{wrong:,} balances {verb} ({seconds:.1f} s).")
        if options["check"] and wrong:
            raise SystemExit(1)
