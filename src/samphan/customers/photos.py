"""Customer photos as the app keeps them: a 512-px square JPEG and a 128-px thumbnail,
turned upright by their EXIF orientation and stripped of every other metadata (a phone's
photo carries where and when it was taken)."""

import io
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from samphan.core.pictures import picture_opened
from samphan.core.uploads import PHOTO

MAX_PIXELS = 50_000_000  # a 50-megapixel camera; more is a decompression bomb, not a face
SIZE, THUMBNAIL = 512, 128
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}  # MPO: some cameras' JPEG


def photo_files(upload: Any) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """The square photo and its thumbnail from an uploaded file, or a ValidationError on
    ``photo`` saying what is wrong with it."""
    PHOTO.check(upload, field="photo")
    image = _opened(upload)
    image = ImageOps.exif_transpose(image).convert("RGB")
    # Faces sit above the middle of most portraits: crop a little higher than centre.
    square = ImageOps.fit(image, (SIZE, SIZE), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    thumbnail = square.resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS)
    name = uuid.uuid4().hex
    return _jpeg(square, f"{name}.jpg"), _jpeg(thumbnail, f"{name}-t.jpg")


def _opened(upload: Any) -> Image.Image:
    return picture_opened(
        upload,
        field="photo",
        formats=FORMATS,
        max_pixels=MAX_PIXELS,
        not_a_picture=_("This file is not a picture. Choose a JPEG, PNG or WebP photo."),
        too_large=_("This picture is too large; take a smaller one."),
    )


def _jpeg(image: Image.Image, name: str) -> ContentFile[bytes]:
    data = io.BytesIO()
    image.save(data, "JPEG", quality=85, optimize=True)  # no exif= given: none written
    return ContentFile(data.getvalue(), name=name)
