"""Where uploaded files are kept (docs/operations.md, "Uploaded files on several servers"):
the local disk under MEDIA_ROOT by default, or an S3-compatible bucket when
SAMPHAN_S3_BUCKET is set (core/s3_settings.py). Every reader and writer of uploaded files goes
through Django's storage API (``default_storage``, a FileField's ``.storage``), never
through a path on disk, so both work the same; ``tests/core/test_storage_paths.py``
keeps it so.

The bucket is private: objects are written with the ``private`` ACL and their URLs are
the app's own ``/media/…`` addresses, never the bucket's, so every file still reaches
only staff the media view lets through (``home/views.py``). The bucket's storage class is
in ``core/s3.py``, imported only when it is configured (boto3 is slow to import)."""

import datetime as dt
import mimetypes
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponseNotModified
from django.utils.http import http_date
from django.views.static import was_modified_since


def stored_file_response(
    request: HttpRequest,
    name: str,
    *,
    storage: Storage | None = None,
    as_attachment: bool = False,
    filename: str = "",
    content_type: str | None = None,
) -> FileResponse | HttpResponseNotModified:
    """The stored file ``name`` streamed from the storage, with the headers Django's
    ``static.serve`` gives (type, length, Last-Modified, 304 on If-Modified-Since);
    ``FileNotFoundError`` when there is no such file."""
    storage = storage or default_storage
    try:
        handle = storage.open(name, "rb")
    except (IsADirectoryError, NotADirectoryError, SuspiciousOperation) as error:
        raise FileNotFoundError(name) from error
    modified = _modified(storage, handle, name)
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(modified)):
        handle.close()
        return HttpResponseNotModified()
    if content_type is None:
        guessed, _encoding = mimetypes.guess_type(name)
        content_type = guessed or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response.headers["Last-Modified"] = http_date(modified)
    return response


def _modified(storage: Storage, handle: Any, name: str) -> float:
    """The file's modification time: an S3 file has it from the request that opened it."""
    obj = getattr(handle, "obj", None)
    when: dt.datetime = obj.last_modified if obj is not None else storage.get_modified_time(name)
    return when.timestamp()
