"""The shop's logo as the app keeps it: a PNG at most 512 pixels on its longer side, its
transparency kept and every metadata stripped, made from an upload that is checked first
(a picture, of a kind we take, not too large)."""

import base64
import io
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from samphan.core.pictures import picture_opened
from samphan.core.uploads import LOGO

MAX_PIXELS = 25_000_000  # more is a decompression bomb, not a logo
LONGEST_SIDE = 512
FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "GIF"}  # MPO: some cameras' JPEG


def logo_file(upload: Any) -> ContentFile[bytes]:
    """The logo to keep, or a ValidationError on ``logo`` saying what is wrong."""
    LOGO.check(upload, field="logo")
    image = ImageOps.exif_transpose(_opened(upload))
    image = image.convert("RGBA")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    data = io.BytesIO()
    image.save(data, "PNG", optimize=True)  # no pnginfo/exif given: none written
    return ContentFile(data.getvalue(), name=f"{uuid.uuid4().hex}.png")


def _opened(upload: Any) -> Image.Image:
    return picture_opened(
        upload,
        field="logo",
        formats=FORMATS,
        max_pixels=MAX_PIXELS,
        not_a_picture=_("This file is not a picture we can use. Choose a PNG, JPEG or WebP image."),
        too_large=_("This picture is too large; use a smaller one."),
    )


def logo_bytes(name: str) -> bytes:
    """The kept PNG, or nothing when there is none (or its file went missing)."""
    if not name:
        return b""
    try:
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    except (FileNotFoundError, OSError):
        return b""


def logo_data_uri(name: str) -> str:
    """The logo inline (``data:image/png;base64,…``), for a PDF that fetches nothing."""
    data = logo_bytes(name)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii") if data else ""
