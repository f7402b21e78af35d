from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samphan.home.backup_command import backup_refusals
from samphan.home.backups import backup_create, backup_keep, backup_storage


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent copy while the app runs), the media files and the "
        "erasure ledger into one archive named by its UTC time, verify it, and keep the newest "
        "N (SAMPHAN_BACKUP_KEEP). Where: --to PATH, else the 'backups' storage (var/backups, "
        "or the SAMPHAN_BACKUP_S3_BUCKET bucket)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", help="a folder (default: the backups storage, var/backups)")
        parser.add_argument("--keep", type=int, default=None,
                            help="backups kept (default: the shop settings, else SAMPHAN_BACKUP_KEEP)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        with backup_refusals("--keep"):
            keep = backup_keep(options["keep"])
        result = backup_create(storage=backup_storage(options["to"]), keep=keep)
        rows = sum(result.manifest["rows"].values())
        self.stdout.write(
            f"{result.name}: {result.size / 1e6:.1f} MB, {rows:,} rows, "
            f"{len(result.manifest['files'])} files, verified, in {result.seconds:.1f} s"
        )
        for name in result.deleted:
            self.stdout.write(f"deleted {name} (keeping the newest {result.keep})")
