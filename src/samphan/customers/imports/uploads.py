"""An uploaded import file kept between the steps of the import pages (upload, mapping,
preview, start), before it becomes an ImportJob.

It is kept in the media storage (the local disk, 0600, or the bucket several web
servers share: ``core/storage.py``) as import-uploads/<user id>/<token>.bin, never
served, with what the upload step chose beside it in <token>.json. The user's id is part
of the name, so another user holding the token finds nothing; a token is 22 random
URL-safe characters. Uploads older than a day are removed when the same user uploads
again."""

import datetime as dt
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

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


def _folder(user: User) -> str:
    return f"import-uploads/{user.pk}"


def _write(name: str, data: bytes) -> None:
    default_storage.delete(name)  # the name is the token's: written over, never renamed
    default_storage.save(name, ContentFile(data))


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def upload_save(user: User, data: bytes, upload: Upload) -> Upload:
    """Keep ``data`` for ``user`` under a new token (set on the returned upload)."""
    folder = _folder(user)
    _sweep(folder)
    upload.token = secrets.token_urlsafe(16)
    _write(f"{folder}/{upload.token}.bin", data)
    upload_update(user, upload)
    return upload


def upload_update(user: User, upload: Upload) -> None:
    _write(f"{_folder(user)}/{upload.token}.json", json.dumps(asdict(upload)).encode())


def upload_load(user: User, token: str) -> tuple[Upload, bytes] | None:
    """The user's upload and its bytes, or None (a token of another user's, or gone)."""
    if not TOKEN.fullmatch(token):
        return None
    folder = _folder(user)
    try:
        meta: dict[str, Any] = json.loads(_read(f"{folder}/{token}.json"))
        data = _read(f"{folder}/{token}.bin")
    except (OSError, ValueError):
        return None
    known = set(Upload.__dataclass_fields__)
    return Upload(**{key: value for key, value in meta.items() if key in known}), data


def upload_delete(user: User, token: str) -> None:
    if TOKEN.fullmatch(token):
        for suffix in (".bin", ".json"):
            default_storage.delete(f"{_folder(user)}/{token}{suffix}")


def _sweep(folder: str) -> None:
    old = timezone.now() - dt.timedelta(seconds=KEEP_SECONDS)
    try:
        _folders, names = default_storage.listdir(folder)
    except FileNotFoundError:  # the user's first upload (on disk: no folder yet)
        return
    for name in names:
        try:
            if default_storage.get_modified_time(f"{folder}/{name}") < old:
                default_storage.delete(f"{folder}/{name}")
        except OSError:
            continue
