"""A customer import run by the worker: created from the uploaded file and a mapping,
run in batches (each batch and the resume cursor in one transaction, so a restarted
worker resumes and writes nothing twice), cancellable between batches, ending with one
audit entry holding the file's hash and the counts, and the failed rows as a CSV.

Every row ends in exactly one of created, updated, skipped or failed. Rows are checked by
the mapping step's own row logic (``preview_rows``) and written through the customer
services, so audits, the duplicate rule and the importer's visibility all apply."""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core import sql
from samphan.core.audit import audit_record
from samphan.core.dates import DateTextError
from samphan.core.exports import csv_text
from samphan.core.models import AuditEvent
from samphan.customers.imports.batch import Batch
from samphan.customers.imports.mapping import preview_rows
from samphan.customers.imports.readers import ReadError, Table, parse_import_date, read_table
from samphan.customers.models import (
    ContactPoint,
    Customer,
    ImportFailedRow,
    ImportJob,
    ImportMapping,
    Tag,
)
from samphan.customers.services.import_mappings import import_mapping_clean

BATCH_SIZE = 2000
# The tables a batch reads to match its rows (``preview_rows``), and how many customers an
# import creates before it has PostgreSQL count them again (beyond doubling them).
MATCHED_TABLES = [
    table._meta.db_table for table in (Customer, ContactPoint, Customer.tags.through, Tag)
]
ANALYZE_FROM = 1_000
Policy = ImportMapping.Policy
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.CANCELLED, ImportJob.Status.FAILED)


def import_job_create(
    *,
    actor: User,
    data: bytes,
    file_name: str,
    mapping: Mapping[int, str | None],
    policy: str = Policy.SKIP,
    encoding: str | None = None,
    sheet: str | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """A queued import of ``data``; errors on ``file``, ``mapping`` or ``existing_policy``
    before anything is stored. The worker starts it once the transaction commits."""
    if policy not in Policy.values:
        raise ValidationError({"existing_policy": _("Choose what a matching row does.")})
    try:
        table = read_table(data, file_name, encoding=encoding, sheet=sheet)
    except ReadError as error:
        raise ValidationError({"file": error.messages}) from error
    stored = import_mapping_clean(table.headers, mapping)
    if not any(stored.values()):
        raise ValidationError({"mapping": _("Map at least one column to a field.")})
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        job = ImportJob(
            file_name=file_name[:255],
            sha256=digest,
            size=len(data),
            source_format=table.source_format,
            encoding=table.encoding or "",
            sheet=sheet or (table.sheets[0] if table.sheets else ""),
            mapping=stored,
            existing_policy=policy,
            created_by=actor,
            total_rows=len(table.rows),
        )
        job.file.save(f"{digest}.bin", ContentFile(data), save=False)
        job.save()
        if enqueue:
            transaction.on_commit(lambda: import_job_task.enqueue(job.pk), robust=True)
        else:  # run here next (the command): the file need not be read twice
            _read[job.pk] = table
    return job


# The table read by import_job_create for a job run in the same process next, taken by
# its run (at most one: the command creates and runs one job at a time).
_read: dict[int, Table] = {}


@task()
def import_job_task(job_id: int) -> int:
    """The worker's entry: run (or resume) the import; safe to run twice."""
    job = ImportJob.objects.get(pk=job_id)
    return import_job_run(job).done_rows


def _file_date(text: str) -> dt.date | None:
    """A date as import files write it (B.E. or A.D., day first, named months, an XLSX
    date at midnight), or None, which the row logic reports beside its cell."""
    try:
        return parse_import_date(text)
    except DateTextError:
        return None


def _table(job: ImportJob) -> Table:
    read = _read.pop(job.pk, None)
    if read is not None:
        return read
    _read.clear()
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_table(data, job.file_name, encoding=job.encoding or None, sheet=job.sheet or None)


def import_job_run(
    job: ImportJob, *, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> ImportJob:
    """Run ``job`` from its cursor to the end (or ``max_batches`` batches), one
    transaction per batch; stops at a cancel between batches. A finished job is left as
    it is. Messages (the failed rows' reasons) are in the importer's language."""
    job.refresh_from_db()
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        return _run(job, batch_size, max_batches)


def _run(job: ImportJob, batch_size: int, max_batches: int | None) -> ImportJob:
    if job.status == ImportJob.Status.CANCELLED:
        return _finish(job, ImportJob.Status.CANCELLED)
    if job.status in FINISHED:
        return job
    actor = job.created_by
    if actor is None:
        return _finish(job, ImportJob.Status.FAILED, error=_("The importer no longer exists."))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=job.started_at or timezone.now()
    )
    try:
        table = _table(job)
    except ValidationError as error:
        return _finish(job, ImportJob.Status.FAILED, error="; ".join(error.messages))
    mapping = {int(index): name for index, name in job.mapping.items()}
    batches, created_before = 0, job.created_count
    customers_before = counted = _statistics_refresh(Customer.objects.count())
    while True:
        job.refresh_from_db(fields=["status", "next_row", "created_count"])
        customers = customers_before + job.created_count - created_before
        if customers >= 2 * counted + ANALYZE_FROM:
            counted = _statistics_refresh(customers)
        if job.status == ImportJob.Status.CANCELLED:
            return _finish(job, ImportJob.Status.CANCELLED)
        if job.next_row >= len(table.rows):
            return _finish(job, ImportJob.Status.DONE)
        if max_batches is not None and batches >= max_batches:
            job.refresh_from_db()
            return job  # still running: the next run resumes at the cursor
        _batch_run(job, actor, table, mapping, batch_size)
        batches += 1


def _statistics_refresh(rows: int) -> int:
    """Have PostgreSQL count the tables an import matches rows against, now that they hold
    about ``rows`` customers (``sql.statistics_refresh``); the import does it at its
    start and each time the customers have doubled since: a few times, whatever the size."""
    sql.statistics_refresh(*MATCHED_TABLES)
    return rows


def _batch_run(
    job: ImportJob,
    actor: User,
    table: Table,
    mapping: dict[int, str | None],
    batch_size: int,
) -> None:
    start = job.next_row
    rows = table.rows[start : start + batch_size]
    lines = table.line_numbers[start : start + batch_size] or [
        start + i + 2 for i in range(len(rows))
    ]
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.next_row != start or locked.status != ImportJob.Status.RUNNING:
            return  # another worker moved it, or it was cancelled: look again
        previews = preview_rows(
            table.headers,
            rows,
            mapping,
            existing_policy=job.existing_policy,
            user=actor,
            limit=len(rows),
            parse_date=_file_date,
            line_numbers=lines,
        )
        outcomes = Batch(actor=actor, policy=job.existing_policy, mapping=mapping).run(previews)
        counts = dict.fromkeys(("created", "updated", "skipped", "failed"), 0)
        failed: list[ImportFailedRow] = []
        for preview, row, (outcome, column, reason) in zip(previews, rows, outcomes, strict=True):
            counts[outcome] += 1
            if outcome == "failed":
                failed.append(
                    ImportFailedRow(
                        job_id=job.pk,
                        line=preview.line,
                        column=table.headers[column] if 0 <= column < len(table.headers) else "",
                        reason=reason,
                        cells=list(row),
                    )
                )
        ImportFailedRow.objects.bulk_create(failed)  # one INSERT; never rewritten
        locked.created_count += counts["created"]
        locked.updated_count += counts["updated"]
        locked.skipped_count += counts["skipped"]
        locked.failed_count += counts["failed"]
        locked.next_row = start + len(rows)
        locked.save(
            update_fields=[
                "created_count",
                "updated_count",
                "skipped_count",
                "failed_count",
                "next_row",
                "updated_at",
            ]
        )


def _finish(job: ImportJob, status: str, *, error: str = "") -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.finished_at:
            return job  # recorded once
        job.status = status
        job.error = error
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        audit_record(
            actor=job.created_by,
            action=AuditEvent.Action.CREATE,
            subject=job,
            changes={
                "import": {
                    "file_name": job.file_name,
                    "sha256": job.sha256,
                    "status": status,
                    "total_rows": job.total_rows,
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "skipped": job.skipped_count,
                    "failed": job.failed_count,
                }
            },
        )
    return job


def import_job_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    """Stop a queued or running import; a running one stops between batches (what was
    written stays and is counted). A finished import is left as it is."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        was = job.status
        if was in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            job.status = ImportJob.Status.CANCELLED
            job.save(update_fields=["status", "updated_at"])
    if was == ImportJob.Status.QUEUED:
        job = _finish(job, ImportJob.Status.CANCELLED)
    return job


def import_job_failed_csv(job: ImportJob) -> str:
    """The failed rows as they were in the file, with line, column and reason, to fix and
    upload again (formula-safe, with a BOM for Excel)."""
    failed = list(job.failed.all())
    headers = _table(job).headers if failed else []
    rows: list[list[Any]] = [[*headers, _("line"), _("column"), _("reason")]]
    for one in failed:
        row = list(one.cells) + [""] * (len(headers) - len(one.cells))
        rows.append([*row, one.line, one.column, one.reason])
    return csv_text(rows)


def import_job_progress(job: ImportJob) -> tuple[int, int | None]:
    """(percent done, seconds left or None) from the rows done and the time taken."""
    if not job.total_rows:
        return (100 if job.status in FINISHED else 0), None
    percent = min(100, job.done_rows * 100 // job.total_rows)
    if job.status != ImportJob.Status.RUNNING or not job.started_at or not job.done_rows:
        return percent, None
    elapsed = (timezone.now() - job.started_at).total_seconds()
    left = job.total_rows - job.done_rows
    return percent, int(elapsed / job.done_rows * left)
