from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from samphan.privacy.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = "Print what applying the retention periods would do today (a dry run); --apply does it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Apply the periods now.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for item in retention_plan(today):
            if item.before is None:
                self.stdout.write(f"{item.key}: kept forever")
                continue
            first = ", ".join(f"#{pk} {day.isoformat()}" for pk, day in item.sample)
            self.stdout.write(
                f"{item.key}: {item.count} older than {item.before.isoformat()} "
                f"({item.months} months){': ' + first if first else ''}"
            )
        if options["apply"]:
            done = retention_apply(actor=None, today=today)
            for key, count in done.items():
                self.stdout.write(f"applied {key}: {count}")
        else:
            self.stdout.write("Dry run: nothing changed. Add --apply to apply.")
