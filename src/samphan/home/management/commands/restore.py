import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samphan.home.backup_command import backup_refusals
from samphan.home.backups import backup_local
from samphan.home.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by `samphan backup` into an EMPTY database (a new "
        "SQLite file, or a new PostgreSQL database): checksums first, then the database, the "
        "media files and the erasure ledger, then `erasures_reapply`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="the archive, e.g. var/backups/samphan-…Z.tar, or "
                            "a backup's name in the backups storage (e.g. the S3 bucket)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with backup_refusals(options["backup"]), backup_local(options["backup"]) as path:
            backup_restore(path, say=self.stdout.write)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Restored in {seconds:.1f} s. Start Samphan and check a few customers and orders."
        )
