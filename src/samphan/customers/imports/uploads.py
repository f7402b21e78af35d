"""An uploaded import file kept between the steps of the import pages (upload, mapping,
preview, start), before it becomes an ImportJob.

It lives under MEDIA_ROOT/import-uploads/<user id>/<token>.bin (0600, never served),
with what the upload step chose beside it in <token>.json. The user's id is part of the
path, so another user holding the token finds nothing; a token is 22 random URL-safe
characters. Uploads older than a day are removed when the same user uploads again."""

import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from samphan.accounts.models import User

TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
KEEP_SECONDS = 24 * 3600


@dataclass
class Upload:
    token: str
    file_name: str
    encoding: str = ""  # "" for detected
    sheet: str = ""  # "" for the first
    saved_mapping: int | None = None  # an ImportMapping chosen at upload
    mapping: dict[str, str | None] = field(default_factory=dict)  # the last one previewed
    policy: str = ""


def _folder(user: User) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-uploads" / str(user.pk)


def _write(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def upload_save(user: User, data: bytes, upload: Upload) -> Upload:
    """Keep ``data`` for ``user`` under a new token (set on the returned upload)."""
    folder = _folder(user)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(folder)
    upload.token = secrets.token_urlsafe(16)
    _write(folder / f"{upload.token}.bin", data)
    upload_update(user, upload)
    return upload


def upload_update(user: User, upload: Upload) -> None:
    _write(_folder(user) / f"{upload.token}.json", json.dumps(asdict(upload)).encode())


def upload_load(user: User, token: str) -> tuple[Upload, bytes] | None:
    """The user's upload and its bytes, or None (a token of another user's, or gone)."""
    if not TOKEN.fullmatch(token):
        return None
    folder = _folder(user)
    try:
        meta: dict[str, Any] = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    known = set(Upload.__dataclass_fields__)
    return Upload(**{key: value for key, value in meta.items() if key in known}), data


def upload_delete(user: User, token: str) -> None:
    if TOKEN.fullmatch(token):
        for suffix in (".bin", ".json"):
            (_folder(user) / f"{token}{suffix}").unlink(missing_ok=True)


def _sweep(folder: Path) -> None:
    old = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < old:
                path.unlink()
        except OSError:
            continue
