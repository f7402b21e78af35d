"""Opening an uploaded picture safely: a kind of image we take, not a decompression bomb,
decoded in full before anyone keeps it. Customer photos and the shop's logo both use it."""

from typing import Any

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError


def picture_opened(
    upload: Any,
    *,
    field: str,
    formats: set[str],
    max_pixels: int,
    not_a_picture: str,
    too_large: str,
) -> Image.Image:
    """The decoded picture, or a ValidationError on ``field`` with one of the messages."""
    refused = ValidationError({field: not_a_picture})
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in formats:
            raise refused
        if image.width * image.height > max_pixels:
            raise ValidationError({field: too_large})
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise refused from error
    return image
