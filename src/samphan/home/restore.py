"""``samphan restore BACKUP``: only into an empty database, and only an archive whose every
file matches its manifest; both are checked before anything is written. Then the
database, the media files and the erasure ledger (merged: an erasure recorded since the
backup is never forgotten), and last ``erasures_reapply``."""

import io
import os
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connections

from samphan.home.backup_database import (
    DUMP_NAME,
    RestoreRefusedError,
    database_is_empty,
    database_load,
)
from samphan.home.backups import LEDGER, MEDIA, backup_verify
from samphan.privacy.erasure_ledger import ledger_path


def backup_restore(archive_path: Path, *, say: Callable[[str], object] = print) -> dict[str, Any]:
    """Restore ``archive_path``; ``RestoreRefusedError`` or ``BackupCorruptError`` before any write."""
    empty, holds = database_is_empty()
    if not empty:
        raise RestoreRefusedError(
            f"the database is not empty ({holds}). Restore only into a new, empty database: "
            "create one, point DATABASE_URL (or SAMPHAN_VAR_DIR) at it, and run this again."
        )
    with archive_path.open("rb") as stream:
        manifest = backup_verify(stream)
    say(f"{archive_path.name}: every file matches its checksum ({len(manifest['files'])} files)")
    vendor = manifest["vendor"]
    if connections["default"].vendor != vendor:
        raise RestoreRefusedError(
            f"the backup is of a {vendor} database; "
            f"this installation uses {connections['default'].vendor}"
        )
    with tempfile.TemporaryDirectory(prefix="samphan-restore-") as work, \
            tarfile.open(archive_path, "r:") as archive:  # fmt: skip
        dump = Path(work) / DUMP_NAME[vendor]
        _extract(archive, DUMP_NAME[vendor], dump)
        database_load(dump, vendor)
        say(f"database restored: {sum(manifest['rows'].values()):,} rows "
            f"in {len(manifest['rows'])} tables")  # fmt: skip
        media = [name for name in manifest["files"] if name.startswith(MEDIA)]
        for name in media:
            _media_put(archive, name)
        say(f"media restored: {len(media)} files")
        if LEDGER in manifest["files"]:
            added = _ledger_merge(_member(archive, LEDGER))
            say(f"erasure ledger: {added} lines added to {ledger_path()}")
    connections.close_all()
    out = io.StringIO()
    call_command("erasures_reapply", stdout=out, stderr=out)
    say(out.getvalue().strip())
    return manifest


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    extracted = archive.extractfile(name)
    if extracted is None:  # verified before: cannot happen
        raise RestoreRefusedError(name)
    return extracted.read()


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        extracted = archive.extractfile(name)
        if extracted is None:
            raise RestoreRefusedError(name)
        while chunk := extracted.read(1024 * 1024):
            out.write(chunk)


def _media_put(archive: tarfile.TarFile, member: str) -> None:
    name = member.removeprefix(MEDIA)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, File(io.BytesIO(_member(archive, member)), name=name))


def _ledger_merge(data: bytes) -> int:
    """The backup's lines that the ledger here lacks, appended (never an older copy over a
    newer ledger)."""
    path = ledger_path()
    have = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
    lines = [line for line in data.decode("utf-8").splitlines() if line and line not in have]
    if lines:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as ledger:
            ledger.write("".join(f"{line}\n" for line in lines))
    return len(lines)
