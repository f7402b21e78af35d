"""/api/v1 imports: upload a customer file with its mapping and policy (queued for the
worker), follow its progress, cancel it, download the failed rows to fix."""

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from ninja import Form, Schema, Status
from pydantic import Field

from samphan.api.schemas import ERRORS, Id
from samphan.core.http import Request
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers.api.common import router
from samphan.customers.imports.jobs import (
    import_job_cancel,
    import_job_create,
    import_job_failed_csv,
    import_job_progress,
)
from samphan.customers.models import ImportJob, ImportMapping

PERM = "customers.change_customer"


class ImportOut(Schema):
    id: int
    file_name: str
    sha256: str
    source_format: str
    existing_policy: str
    status: str
    total_rows: int
    created: int = Field(alias="created_count")
    updated: int = Field(alias="updated_count")
    skipped: int = Field(alias="skipped_count")
    failed: int = Field(alias="failed_count")
    progress_percent: int
    seconds_left: int | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


def _out(job: ImportJob) -> ImportJob:
    job.progress_percent, job.seconds_left = import_job_progress(job)  # type: ignore[attr-defined]
    return job


def _job(request: Request, pk: int) -> ImportJob:
    require_perm(request.user, PERM)
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    if job.created_by_id != request.user.pk and not sees_all_records(request.user):
        # Another's file and failed rows may name customers out of this rep's sight.
        raise PermissionDenied
    return job


@router.post("/imports", response={201: ImportOut, **ERRORS}, tags=["imports"])
def import_create(
    request: Request,
    mapping: Form[str] = "",
    policy: Form[str] = ImportMapping.Policy.SKIP,
    encoding: Form[str] = "",
    sheet: Form[str] = "",
) -> Any:
    """Upload a CSV, XLSX or vCard file (multipart, field `file`) with `mapping`, JSON
    `{"0": "first_name", "1": "mobile", ...}` (column index to field, null to leave a
    column out), and `policy` (skip, fill, update, create) for a row that matches a
    customer. 201 with the queued import; the worker runs it."""
    require_perm(request.user, PERM)  # before the upload is looked at
    file = request.FILES.get("file")
    if file is None:
        raise ValidationError({"file": "Upload a CSV, XLSX or vCard file."})
    try:
        raw = json.loads(mapping)
        columns = {int(index): (field or None) for index, field in raw.items()}
    except (ValueError, AttributeError, TypeError) as error:
        raise ValidationError(
            {"mapping": 'Give JSON such as {"0": "first_name", "1": "mobile"}.'}
        ) from error
    job = import_job_create(
        actor=request.user,
        data=file.read(),
        file_name=file.name or "import.csv",
        mapping=columns,
        policy=policy,
        encoding=encoding or None,
        sheet=sheet or None,
    )
    return Status(201, _out(job))


@router.get("/imports/{import_id}", response={200: ImportOut, **ERRORS}, tags=["imports"])
def import_get(request: Request, import_id: Id) -> Any:
    """Status, counts, progress in percent and an estimate of the seconds left."""
    return _out(_job(request, import_id))


@router.post("/imports/{import_id}/cancel", response={200: ImportOut, **ERRORS}, tags=["imports"])
def import_cancel(request: Request, import_id: Id) -> Any:
    """Stop it between batches; what was written stays and is counted."""
    job = import_job_cancel(actor=request.user, job=_job(request, import_id))
    return _out(job)


@router.get("/imports/{import_id}/failed.csv", response={200: None, **ERRORS}, tags=["imports"])
def import_failed_csv(request: Request, import_id: Id) -> HttpResponse:
    """The failed rows as they were, with line, column and reason (CSV, UTF-8 with BOM)."""
    job = _job(request, import_id)
    response = HttpResponse(import_job_failed_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-failed.csv"'
    return response
