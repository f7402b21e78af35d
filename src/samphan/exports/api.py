"""/api/v1/exports: ask for a full export (administrators), follow its progress,
download the file when it is done."""

import datetime as dt
from typing import Annotated, Any

from django.http import FileResponse, Http404
from django.utils import translation
from ninja import Router, Schema, Status

from samphan.api.schemas import ERRORS, Id, OneOf
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.exports.build import (
    CONTENT_TYPES,
    PERM,
    data_export_create,
    data_export_download,
)
from samphan.exports.models import DataExport

router = Router(tags=["exports"])


class ExportIn(Schema):
    format: Annotated[str, OneOf(DataExport.Format.values)]


class ExportOut(Schema):
    id: int
    format: str
    status: str
    tables_done: int
    tables_total: int
    rows_written: int
    percent: int
    size: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _export(request: Request, pk: int) -> DataExport:
    require_perm(request.user, PERM)
    export = DataExport.objects.filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


@router.post("/exports", response={202: ExportOut, **ERRORS})
def export_create(request: Request, payload: ExportIn) -> Any:
    """Queue a full export (`zip`: a CSV per table in a ZIP; `xlsx`: a sheet per table);
    202 with its progress, which `GET /exports/{id}` follows."""
    require_perm(request.user, PERM)
    export = data_export_create(
        actor=request.user, fmt=payload.format, language=translation.get_language() or "th"
    )
    return Status(202, export)


@router.get("/exports/{export_id}", response={200: ExportOut, **ERRORS})
def export_get(request: Request, export_id: Id) -> Any:
    """Status and progress: tables done of the total and rows written."""
    return _export(request, export_id)


@router.get("/exports/{export_id}/file", response={200: None, **ERRORS})
def export_file(request: Request, export_id: Id) -> FileResponse:
    """The file (ZIP or XLSX); 404 until it is done and after it is deleted."""
    export = _export(request, export_id)
    try:
        path = data_export_download(actor=request.user, export=export)
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type=CONTENT_TYPES[export.format],
    )
