"""/api/v1/exports: ask for a full export (administrators), follow its progress,
download the file when it is done."""

import datetime as dt
from typing import Annotated, Any

from django.http import FileResponse
from django.utils import translation
from ninja import Router, Schema, Status

from samphan.api.schemas import ERRORS, Id, OneOf
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.exports.access import data_export_file_response, data_export_for_user
from samphan.exports.build import (
    PERM,
    data_export_create,
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
    return data_export_for_user(request.user, export_id)


@router.get("/exports/{export_id}/file", response={200: None, **ERRORS})
def export_file(request: Request, export_id: Id) -> FileResponse:
    """The file (ZIP or XLSX); 404 until it is done and after it is deleted."""
    export = data_export_for_user(request.user, export_id)
    return data_export_file_response(request.user, export)
