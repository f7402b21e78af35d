"""The S3-compatible bucket as the default storage (SAMPHAN_S3_BUCKET, core/s3_settings.py; the
rest of the story in ``core/storage.py``). Imported by Django only when configured."""

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):  # type: ignore[misc]
    """django-storages' S3 storage whose URLs are the app's media view, not the bucket's:
    no link to the bucket (signed or not) ever leaves the app, so each file reaches only
    those the media view lets through."""

    def url(self, name: str, *_args: Any, **_kwargs: Any) -> str:
        return urljoin(str(settings.MEDIA_URL), filepath_to_uri(name))
