"""The worker's daily backup: due at its local hour, once a day (a backup already taken that
local day counts), never at -1; a failure is logged and recorded for administrators; the
hour and the count set by an administrator on the shop settings page, which shows the last
backup."""

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
import time_machine

from samphan.core.shop import shop_profile_update
from samphan.home.backup_schedule import backup_due, backup_scheduled
from samphan.home.backups import backup_settings, backup_storage, status_read, status_write

pytestmark = pytest.mark.django_db
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


def test_an_admin_sets_the_hour_and_the_count_and_sees_the_last_backup(
    admin_client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    settings.SAMPHAN_BACKUP_HOUR, settings.SAMPHAN_BACKUP_KEEP = 3, 7
    assert backup_settings() == (3, 7)  # nothing saved: the environment's
    page = admin_client.get("/settings/shop/")
    assert "ยังไม่เคยสำรองข้อมูล" in page.content.decode()  # no backup yet
    data = {"name": "ร้านกาแฟบ้านสวน", "backup_hour": "22", "backup_keep": "14"}
    assert admin_client.post("/settings/shop/", data).status_code == 302
    assert backup_settings() == (22, 14)
    with at(6, 22):
        assert backup_due()
    with at(6, 3):
        assert not backup_due()
    # Saved without them (the API's PUT does not send them): kept as they were.
    shop_profile_update(actor=None, fields={"name": "ร้านกาแฟบ้านสวน 2"})
    assert backup_settings() == (22, 14)

    status_write(backup_storage(), ok=True, name="samphan-20261206T150000Z.tar", size=2_500_000)
    html = admin_client.get("/settings/shop/").content.decode()
    assert "สำรองข้อมูลล่าสุด" in html and "2.5 MB" in html
    status_write(backup_storage(), ok=False, error="OSError: [Errno 28] No space left on device")
    html = admin_client.get("/settings/shop/").content.decode()
    assert "การสำรองข้อมูลครั้งล่าสุดล้มเหลว" in html and "No space left on device" in html
