import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samphan.home.backup_database import RestoreRefusedError
from samphan.home.backups import BackupCorruptError
from samphan.home.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by `samphan backup` into an EMPTY database (a new "
        "SQLite file, or a new PostgreSQL database): checksums first, then the database, the "
        "media files and the erasure ledger, then `erasures_reapply`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="the archive, e.g. var/backups/samphan-…Z.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["backup"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        started = time.perf_counter()
        try:
            backup_restore(path, say=self.stdout.write)
        except RestoreRefusedError as error:
            raise CommandError(f"Refused, nothing was written: {error}") from error
        except BackupCorruptError as error:
            raise CommandError(
                f"Refused, nothing was written: {path} is damaged: {error}"
            ) from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Restored in {seconds:.1f} s. Start Samphan and check a few customers and orders."
        )
