"""The S3-compatible buckets the environment turns on (read by settings.py at each start,
so nothing here imports boto3 or django-storages): uploaded files in ``SAMPHAN_S3_BUCKET``
(docs/operations.md, "Uploaded files on several servers"; ``core/storage.py``) and backups
in ``SAMPHAN_BACKUP_S3_BUCKET`` ("Backups"; ``home/backups.py``), both on the store the
``SAMPHAN_S3_*`` variables name. Buckets are private: objects written with the private
ACL, and uploaded files' URLs are the app's own /media/ view, which checks who may see
each file. Credentials come from the environment only (or boto3's own chain when empty)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def s3_options(bucket: str, environ: Mapping[str, str], *, path_style: bool) -> dict[str, Any]:
    """django-storages' options for the private ``bucket`` on the SAMPHAN_S3_* store."""
    return {
        "bucket_name": bucket,
        "endpoint_url": environ.get("SAMPHAN_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("SAMPHAN_S3_REGION") or None,
        "access_key": environ.get("SAMPHAN_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("SAMPHAN_S3_SECRET_ACCESS_KEY") or None,
        # MinIO and most self-hosted stores: https://host/bucket/key, not bucket.host.
        "addressing_style": "path" if path_style else None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,  # as on disk: a name taken is never written over
        "max_memory_size": 10 * 1024 * 1024,  # a larger file read spills to a temp file
    }


def s3_storages(environ: Mapping[str, str], *, path_style: bool) -> dict[str, dict[str, Any]]:
    """The entries of ``settings.STORAGES`` that the environment puts in buckets."""
    media, backups = environ.get("SAMPHAN_S3_BUCKET"), environ.get("SAMPHAN_BACKUP_S3_BUCKET")
    if backups and backups == media:
        # A backup copies the media bucket's files: its own backups would go in each.
        raise ImproperlyConfigured(
            "SAMPHAN_BACKUP_S3_BUCKET: a bucket other than SAMPHAN_S3_BUCKET"
        )
    found: dict[str, dict[str, Any]] = {}
    if media:
        found["default"] = {"BACKEND": "samphan.core.s3.PrivateS3Storage",
                            "OPTIONS": s3_options(media, environ, path_style=path_style)}  # fmt: skip
    if backups:
        found["backups"] = {"BACKEND": "storages.backends.s3.S3Storage",
                            "OPTIONS": s3_options(backups, environ, path_style=path_style)}  # fmt: skip
    return found
