"""The files a customer's mail brings: kept when they are of a type staff open safely and no
bigger than SAMPHAN_MAIL_ATTACHMENT_MAX, else listed with why (a program, a 40 MB video)."""

import re
import unicodedata
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from samphan.support.models import TicketAttachment, TicketMessage

# Photos, PDFs, office documents, text and archives; never a program or a web page (one
# served back would run in staff's browser).
KEPT_TYPES = {
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",
    "text/csv",
}
KEPT_FAMILIES = ("image/", "audio/", "video/")
REFUSED_IMAGES = {"image/svg+xml"}  # an SVG is a document that can carry scripts
MOST_FILES = 20  # a mail's files past these are not read


class Incoming(NamedTuple):
    filename: str
    content_type: str
    content: bytes


def safe_name(name: str) -> str:
    """The file's name without folders or control characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip(" .") or "file"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 150:
        name = (stem[: 140 - len(extension)] + dot + extension) if dot else name[:150]
    return name


def why_not_kept(content_type: str, size: int) -> str:
    if size > settings.SAMPHAN_MAIL_ATTACHMENT_MAX:
        return _("Larger than %(most)s.") % {
            "most": filesizeformat(settings.SAMPHAN_MAIL_ATTACHMENT_MAX)
        }
    kept = content_type in KEPT_TYPES or (
        content_type.startswith(KEPT_FAMILIES) and content_type not in REFUSED_IMAGES
    )
    return "" if kept else _("Files of this type are not kept (%(type)s).") % {"type": content_type}


def attachments_save(message: TicketMessage, files: list[Incoming]) -> list[TicketAttachment]:
    saved = []
    for incoming in files[:MOST_FILES]:
        content_type = incoming.content_type.lower()[:100]
        attachment = TicketAttachment(
            message=message,
            filename=safe_name(incoming.filename),
            content_type=content_type,
            size=len(incoming.content),
            refused=why_not_kept(content_type, len(incoming.content))[:200],
        )
        if not attachment.refused:
            attachment.file.save(attachment.filename, ContentFile(incoming.content), save=False)
        attachment.save()
        saved.append(attachment)
    return saved
