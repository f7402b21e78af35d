"""``samphan backup``: one backup is one tar archive named by its UTC time
(``samphan-20261206T200000Z.tar``) holding the database copy, the media files, the erasure
ledger and ``manifest.json`` (time, version, vendor, migrations, row counts, each file's
SHA-256). It is written through a Django storage (the ``backups`` alias of
``settings.STORAGES``: a private folder, ``var/backups``, by default; any storage class,
e.g. an S3-compatible one, works), read back and verified, and only then are the backups
beyond the newest ``keep`` deleted."""

import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.db import connection

from samphan.core.models import ShopProfile
from samphan.home.backup_database import DUMP_NAME, database_dump
from samphan.privacy.erasure_ledger import ledger_path

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LEDGER = "erasures.log"
MEDIA = "media/"
NAME = re.compile(r"^samphan-(\d{8}T\d{6}Z)\.tar$")
STATUS = "last-backup.json"  # the last attempt, ok or not, beside the backups
CHUNK = 1024 * 1024


class BackupCorruptError(Exception):
    """The archive does not match its manifest (or cannot be read)."""


class BackupKeepError(ValueError):
    """How many to keep is out of range: nothing was written or deleted."""


@dataclass(frozen=True)
class BackupResult:
    name: str
    size: int
    seconds: float
    deleted: list[str]
    manifest: dict[str, Any]
    keep: int = 0


def backup_settings() -> tuple[int, int]:
    """(the local hour of the daily backup, how many are kept): an administrator's choice
    on the shop settings page, else SAMPHAN_BACKUP_HOUR and SAMPHAN_BACKUP_KEEP."""
    row = ShopProfile.objects.filter(pk=ShopProfile.ONLY_ID)
    hour, keep = row.values_list("backup_hour", "backup_keep").first() or (None, None)
    return (
        settings.SAMPHAN_BACKUP_HOUR if hour is None else hour,
        settings.SAMPHAN_BACKUP_KEEP if keep is None else keep,
    )


def backup_storage(path: str | Path | None = None) -> Storage:
    """``--to PATH`` as a private folder, else the ``backups`` storage of the settings."""
    if path is not None:
        return private_folder(Path(path))
    if "backups" in settings.STORAGES:
        return storages["backups"]
    return private_folder(Path(settings.VAR_DIR) / "backups")


def backup_keep(keep: int | None) -> int:
    """How many backups to keep: ``keep`` (``--keep``) if given, else the shop settings'
    (else SAMPHAN_BACKUP_KEEP); ``BackupKeepError`` below one."""
    keep = backup_settings()[1] if keep is None else keep
    if keep < 1:
        raise BackupKeepError("keep at least one backup")
    return keep


@contextmanager
def backup_local(where: str | Path, storage: Storage | None = None) -> Iterator[Path]:
    """The archive ``where`` as a local file: a path to a file, or the name of a backup in
    the backups storage (an S3 bucket's, say), fetched into a private temporary file for
    as long as the block runs. ``FileNotFoundError`` when it is neither."""
    path = Path(where)
    if path.is_file():
        yield path
        return
    storage = storage if storage is not None else backup_storage()
    if not NAME.match(path.name) or str(path) != path.name or not storage.exists(path.name):
        raise FileNotFoundError("no such file, nor a backup of that name in the backups storage")
    with tempfile.TemporaryDirectory(prefix="samphan-fetch-") as work:
        local = Path(work) / path.name
        descriptor = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out, storage.open(path.name, "rb") as stream:
            shutil.copyfileobj(stream, out, CHUNK)
        yield local


def private_folder(path: Path) -> FileSystemStorage:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return FileSystemStorage(
        location=path, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _media_names(directory: str = "") -> list[str]:
    """Every file of the media storage (uploaded photos, the logo), by name."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}{name}" for name in files]
    for folder in folders:
        names += _media_names(f"{directory}{folder}/")
    return sorted(names)


def backups_list(storage: Storage) -> list[str]:
    """The backups in the storage, oldest first (their names sort by time)."""
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted(name for name in files if NAME.match(name))


def backup_time(name: str) -> dt.datetime:
    match = NAME.match(name)
    if match is None:
        raise ValueError(name)
    return dt.datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def _add(archive: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    archive.addfile(info, stream)


def _archive_write(archive_path: Path, work: Path, now: dt.datetime) -> dict[str, Any]:
    dump = work / DUMP_NAME[connection.vendor]
    snapshot = database_dump(dump)
    files: dict[str, str] = {}
    with tarfile.open(archive_path, "w") as archive:
        with dump.open("rb") as stream:
            files[dump.name] = _sha256(stream)
            stream.seek(0)
            _add(archive, dump.name, stream, dump.stat().st_size)
        ledger = ledger_path()
        if ledger.exists():
            data = ledger.read_bytes()  # append-only: what it held at this moment
            files[LEDGER] = hashlib.sha256(data).hexdigest()
            _add(archive, LEDGER, io.BytesIO(data), len(data))
        for name in _media_names():
            with default_storage.open(name, "rb") as stream:
                data = stream.read()
            files[MEDIA + name] = hashlib.sha256(data).hexdigest()
            _add(archive, MEDIA + name, io.BytesIO(data), len(data))
        manifest = {
            "time": now.isoformat(),
            "samphan_version": version("samphan"),
            "vendor": snapshot.vendor,
            "migrations": snapshot.migrations,
            "rows": snapshot.rows,
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        _add(archive, MANIFEST, io.BytesIO(data), len(data))
    return manifest


def backup_create(*, storage: Storage | None = None, keep: int | None = None) -> BackupResult:
    """Take a backup, verify it as stored, then delete all but the newest ``keep``."""
    started = time.perf_counter()
    storage = storage if storage is not None else backup_storage()
    keep = backup_keep(keep)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    while storage.exists(name := f"samphan-{now:%Y%m%dT%H%M%SZ}.tar"):
        time.sleep(1)  # one a second at most: the name is the time
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="samphan-backup-") as work:
        archive_path = Path(work) / name
        manifest = _archive_write(archive_path, Path(work), now)
        with archive_path.open("rb") as stream:
            saved = storage.save(name, File(stream, name=name))
    with storage.open(saved, "rb") as stream:
        backup_verify(stream)
    # Only now, with the new one complete and read back, do the oldest go.
    deleted = [old for old in backups_list(storage)[:-keep] if old != saved]
    for old in deleted:
        storage.delete(old)
    result = BackupResult(
        saved, storage.size(saved), time.perf_counter() - started, deleted, manifest, keep
    )
    status_write(storage, ok=True, name=saved, size=result.size)
    return result


def backup_verify(stream: IO[bytes]) -> dict[str, Any]:
    """The manifest, once every file of the archive matches its SHA-256 and none is missing
    or extra; else ``BackupCorruptError``. Reads the archive only."""
    try:
        with tarfile.open(fileobj=stream, mode="r:") as archive:
            members = {member.name: member for member in archive.getmembers() if member.isfile()}
            if MANIFEST not in members:
                raise BackupCorruptError("no manifest.json")
            manifest: dict[str, Any] = json.loads(_read(archive, members[MANIFEST]))
            expected: dict[str, str] = manifest["files"]
            if set(members) - {MANIFEST} != set(expected):
                raise BackupCorruptError("the files differ from the manifest's list")
            for name, digest in expected.items():
                extracted = archive.extractfile(members[name])
                if extracted is None or _sha256(extracted) != digest:
                    raise BackupCorruptError(f"{name}: checksum does not match")
    except (tarfile.TarError, OSError, EOFError, ValueError, KeyError, TypeError) as error:
        raise BackupCorruptError(f"unreadable archive: {error}") from error
    return manifest


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    if extracted is None:
        raise BackupCorruptError(member.name)
    return extracted.read()


def status_write(storage: Storage, *, ok: bool, name: str = "", size: int = 0,
                 error: str = "") -> None:  # fmt: skip
    """The last attempt beside the backups: what administrators are shown."""
    status = {"time": dt.datetime.now(dt.UTC).isoformat(), "ok": ok, "name": name,
              "size": size, "error": error}  # fmt: skip
    data = json.dumps(status).encode()
    if storage.exists(STATUS):
        storage.delete(STATUS)
    storage.save(STATUS, File(io.BytesIO(data), name=STATUS))


def status_read(storage: Storage | None = None) -> dict[str, Any] | None:
    storage = storage if storage is not None else backup_storage()
    try:
        with storage.open(STATUS, "rb") as stream:
            status: dict[str, Any] = json.loads(stream.read())
    except (FileNotFoundError, ValueError):
        return None
    return status
