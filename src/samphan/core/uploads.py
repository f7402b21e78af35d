"""Every upload's size cap, in one place.

A cap is checked from the size the upload handler counted, before anything reads the
file: the form fields below refuse it beside the field, and the services that keep
pictures check it again (``Cap.check``). The upload handler stores at most ``LARGEST``
bytes of any file and only counts the rest, so a 500 MB file costs neither memory nor
disk. The caps (docs/security.md, "Uploads"):

- CSV imports (products, static-list members): 10 MB, about 100,000 rows;
- customer imports (CSV, XLSX, vCard): 32 MB, 100,000 customers with Thai names, phones,
  e-mails and a province (Thai takes three bytes a letter: such a file is some 17 MB);
- photos (customers, products): 10 MB, a phone camera's full-size JPEG; they are kept
  resized, so the cap bounds only the work of reading one;
- the shop's logo: 2 MB.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024


@dataclass(frozen=True)
class Cap:
    max_bytes: int
    message: str | Promise  # with %(size)s in MB and %(limit)s

    def check(self, upload: Any, *, field: str | None = None) -> None:
        """Refuse ``upload`` (a ValidationError, on ``field`` when given) past the cap."""
        size = getattr(upload, "size", None) or 0
        if size > self.max_bytes:
            message = str(self.message) % {"size": size / MB, "limit": self.max_bytes // MB}
            raise ValidationError({field: message} if field else message, code="too_large")


CSV = Cap(10 * MB, _("This file is %(size).1f MB; a CSV file may be at most %(limit)d MB."))
IMPORT = Cap(32 * MB, _("This file is %(size).1f MB; an import file may be at most %(limit)d MB."))
PHOTO = Cap(10 * MB, _("This file is %(size).1f MB; a photo may be at most %(limit)d MB."))
LOGO = Cap(2 * MB, _("This file is %(size).1f MB; a logo may be at most %(limit)d MB."))
LARGEST = max(CSV.max_bytes, IMPORT.max_bytes, PHOTO.max_bytes, LOGO.max_bytes)


class _Capped:
    """A form field that refuses a file past its cap before reading it."""

    cap: ClassVar[Cap]

    def to_python(self, data: Any) -> Any:
        if data:
            self.cap.check(data)
        return super().to_python(data)  # type: ignore[misc]


class CsvFileField(_Capped, forms.FileField):
    cap = CSV


class PhotoField(_Capped, forms.ImageField):
    cap = PHOTO


class LogoField(_Capped, forms.FileField):
    cap = LOGO


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that stores a file only up to ``LARGEST`` + 1
    bytes and counts the rest, so the caps above still see the file's true size."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = LARGEST + 1 - self.received
        self.received += len(raw_data)
        if room > 0:
            self.file.write(raw_data[:room])
        return None

    def file_complete(self, file_size: int) -> Any:
        self.file.seek(0)
        self.file.size = self.received
        return self.file
