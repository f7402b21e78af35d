"""What ``samphan backup`` and ``samphan restore`` share: the refusals of ``home/backups.py``,
``home/restore.py`` and ``home/backup_database.py`` as one ``CommandError`` line each (the
operator reads what was refused and that nothing was written, never a traceback)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from samphan.home.backup_database import RestoreRefusedError
from samphan.home.backups import BackupCorruptError, BackupKeepError


@contextmanager
def backup_refusals(what: str) -> Iterator[None]:
    """Run the block; its refusal as ``CommandError`` naming ``what`` (the argument or
    archive it is about)."""
    try:
        yield
    except RestoreRefusedError as error:
        raise CommandError(f"Refused, nothing was written: {error}") from error
    except BackupCorruptError as error:
        raise CommandError(f"Refused, nothing was written: {what} is damaged: {error}") from error
    except (FileNotFoundError, BackupKeepError) as error:
        raise CommandError(f"{what}: {error}") from error
