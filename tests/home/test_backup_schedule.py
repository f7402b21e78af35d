"""The worker's daily backup: due at its local hour, once a day (a backup already taken that
local day counts), never at -1; a failure is logged and recorded for administrators."""

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import time_machine

from samphan.home.backup_schedule import backup_due, backup_scheduled
from samphan.home.backups import status_read

BANGKOK = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, minute: int = 10) -> Any:
    return time_machine.travel(dt.datetime(2026, 12, day, hour, minute, tzinfo=BANGKOK))


def test_the_daily_backup_is_due_once_at_its_hour(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    settings.SAMPHAN_BACKUP_HOUR = 3
    with at(6, 2, 59):
        assert not backup_due()
    with at(6, 3):
        assert backup_due()
    (tmp_path / "samphan-20261205T200500Z.tar").write_bytes(b"")  # 03:05 on the 6th, Bangkok
    with at(6, 3, 30):
        assert not backup_due()
    with at(7, 3):
        assert backup_due()
    settings.SAMPHAN_BACKUP_HOUR = -1
    with at(7, 3):
        assert not backup_due()


def test_a_failed_backup_is_logged_and_recorded(settings: Any, tmp_path: Path, caplog: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    settings.SAMPHAN_BACKUP_HOUR = 3
    settings.SAMPHAN_BACKUP_KEEP = 0  # a setting that cannot work
    with at(6, 3), caplog.at_level(logging.ERROR):
        assert backup_scheduled() is None
    assert "the scheduled backup failed" in caplog.text
    status = status_read()
    assert status is not None and status["ok"] is False
    assert "keep at least one backup" in status["error"]
    assert not list(tmp_path.glob("samphan-*.tar"))
