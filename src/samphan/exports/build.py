"""Building a full export in the worker, table by table, and everything done to one:
asked for (audited), built (progress after each table and every few thousand rows),
downloaded (audited, and who saw whom records every customer the file lists), and its
file deleted after ``KEEP_DAYS`` days.

The file is built in a private temporary file (0600, deleted once closed), then kept in
the media storage (the local disk or the bucket: ``core/storage.py``) as exports/ and a
random name; the media view never serves that folder (``home/views.py``): the file is
downloaded only through ``data_export_file``'s callers, which check the capability.
"""

import datetime as dt
import io
import secrets
import tempfile
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.exports import csv_write, xlsx_book, xlsx_sheet_write
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.customers.seen import exported
from samphan.exports.models import DataExport
from samphan.exports.tables import TABLES, Table, rows, unrestricted

# The capability: administrators only (accounts/capabilities.py, "export_all").
PERM = "exports.add_dataexport"
KEEP_DAYS = 7
CLEANUP_EVERY = 3600.0
FOLDER = "exports"
PROGRESS_EVERY = 5_000  # rows between two progress writes within a table
CONTENT_TYPES: dict[str, str] = {
    DataExport.Format.ZIP: "application/zip",
    DataExport.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNFINISHED = (DataExport.Status.QUEUED, DataExport.Status.RUNNING)


def data_export_create(*, actor: User, fmt: str, language: str, enqueue: bool = True) -> DataExport:
    """A queued export, audited; the worker builds it once the transaction commits."""
    if fmt not in DataExport.Format.values:
        raise ValidationError({"format": _("Choose zip or xlsx.")})
    languages = {code for code, _name in settings.LANGUAGES}
    with transaction.atomic():
        export = DataExport.objects.create(
            format=fmt,
            language=language if language in languages else settings.LANGUAGE_CODE,
            created_by=actor,
            tables_total=len(TABLES),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            subject=export,
            changes={"full_export": {"requested": fmt}},
        )
        if enqueue:
            transaction.on_commit(lambda: data_export_task.enqueue(export.pk), robust=True)
    return export


@task()
def data_export_task(export_id: int) -> int:
    """The worker's entry; a finished export is left as it is."""
    return data_export_run(DataExport.objects.get(pk=export_id)).rows_written


def data_export_run(export: DataExport) -> DataExport:
    """Build the file (from the start: a restarted worker writes it afresh)."""
    export.refresh_from_db()
    if export.status not in UNFINISHED:
        return export
    if export.file_path:
        default_storage.delete(export.file_path)
    name = f"{FOLDER}/{secrets.token_hex(16)}.{export.format}"
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.RUNNING,
        started_at=timezone.now(),
        file_path=name,
        tables_done=0,
        rows_written=0,
        tables_total=len(TABLES),
    )
    export.refresh_from_db()
    try:
        with tempfile.TemporaryFile() as scratch:  # 0600, and gone once closed
            if export.format == DataExport.Format.ZIP:
                _zip_write(export, scratch)
            else:
                _xlsx_write(export, scratch)
            size = scratch.seek(0, 2)
            scratch.seek(0)
            saved = default_storage.save(name, File(scratch, name=name))
    except Exception as error:
        default_storage.delete(name)
        return _finish(export, DataExport.Status.FAILED, error=f"{type(error).__name__}: {error}")
    if saved != name:  # the storage chose another name (never with a random one, but…)
        DataExport.objects.filter(pk=export.pk).update(file_path=saved)
    return _finish(export, DataExport.Status.DONE, size=size)


class _Counted:
    """The rows of one table, moving the export's progress every PROGRESS_EVERY rows."""

    def __init__(self, export: DataExport, table: Table) -> None:
        self.export, self.table, self.pending = export, table, 0

    def __iter__(self) -> Any:
        for index, row in enumerate(rows(self.table, self.export.language)):
            yield row
            if index:  # the header is not a row
                self.pending += 1
            if self.pending >= PROGRESS_EVERY:
                self.flush()

    def flush(self, *, table_done: bool = False) -> None:
        DataExport.objects.filter(pk=self.export.pk).update(
            rows_written=F("rows_written") + self.pending,
            tables_done=F("tables_done") + (1 if table_done else 0),
        )
        self.pending = 0


def _zip_write(export: DataExport, target: IO[bytes]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            counted = _Counted(export, table)
            with (
                archive.open(f"{table.name}.csv", "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle,
            ):
                csv_write(handle, counted)
            counted.flush(table_done=True)


def _xlsx_write(export: DataExport, target: IO[bytes]) -> None:
    book = xlsx_book()
    for table in TABLES:
        counted = _Counted(export, table)
        xlsx_sheet_write(book, table.name, counted)
        counted.flush(table_done=True)
    book.save(target)


def _finish(export: DataExport, status: str, *, error: str = "", size: int = 0) -> DataExport:
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export.pk)
        export.status = status
        export.error = error[:2000]
        export.finished_at = timezone.now()
        export.size = size if status == DataExport.Status.DONE else 0
        if status != DataExport.Status.DONE:
            export.file_path = ""
        export.save()
    return export


def data_export_download(*, actor: User, export: DataExport) -> File[bytes]:
    """The file opened from the media storage, once the download is audited and who saw
    whom records every customer the file lists. ``FileNotFoundError`` when there is no
    file (any more)."""
    if export.status != DataExport.Status.DONE or not export.file_path:
        raise FileNotFoundError(export.pk)
    stored: File[bytes] = default_storage.open(export.file_path, "rb")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            subject=export,
            changes={"full_export": {"downloaded": export.format}},
        )
        listed = Customer.objects.filter(unrestricted(), created_at__lte=export.finished_at)
        exported(actor, listed, _("full export %(id)s (%(format)s)") % {
            "id": export.pk, "format": export.format.upper()
        })  # fmt: skip
    return stored


def data_exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports older than KEEP_DAYS (the rows stay, as history);
    the number deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    old = DataExport.objects.filter(created_at__lt=cutoff, status=DataExport.Status.DONE)
    count = 0
    for export in old:
        if export.file_path:
            default_storage.delete(export.file_path)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.EXPIRED, file_path=""
        )
        count += 1
    return count
