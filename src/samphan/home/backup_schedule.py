"""The worker's daily backup: at ``SAMPHAN_BACKUP_HOUR`` local time (03:00 Asia/Bangkok by
default; -1: never), once a day, keeping ``SAMPHAN_BACKUP_KEEP``. A failure is logged and
recorded beside the backups (``last-backup.json``) for administrators to see."""

import logging

from django.utils import timezone

from samphan.home.backups import (
    BackupResult,
    backup_create,
    backup_settings,
    backup_storage,
    backup_time,
    backups_list,
    status_write,
)

logger = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds


def backup_due() -> bool:
    hour = backup_settings()[0]
    now = timezone.localtime()
    if hour < 0 or now.hour != hour:
        return False
    taken = backups_list(backup_storage())
    return not taken or timezone.localtime(backup_time(taken[-1])).date() != now.date()


def backup_scheduled() -> BackupResult | None:
    """The worker's loop: a backup when one is due."""
    if not backup_due():
        return None
    try:
        result = backup_create()
    except Exception as error:  # any failure: logged, shown, tried again next check
        logger.exception("the scheduled backup failed")
        status_write(backup_storage(), ok=False, error=f"{type(error).__name__}: {error}")
        return None
    logger.info("backup %s: %s bytes in %.1f s", result.name, result.size, result.seconds)
    return result
