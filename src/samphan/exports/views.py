"""/settings/export/: ask for a full export, follow its progress (htmx polls the row),
download the file; administrators only (the "export_all" capability)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.exports.build import (
    CONTENT_TYPES,
    KEEP_DAYS,
    PERM,
    data_export_create,
    data_export_download,
)
from samphan.exports.models import DataExport

LISTED = 20


def _export(request: Request, pk: int) -> DataExport:
    require_perm(request.user, PERM)
    export = DataExport.objects.select_related("created_by").filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


@login_required
def data_export_page(request: Request) -> HttpResponse:
    require_perm(request.user, PERM)
    if request.method == "POST":
        try:
            data_export_create(
                actor=request.user,
                fmt=request.POST.get("format", ""),
                language=translation.get_language() or "th",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The export has started. This page shows its progress."))
        return redirect("data_export_page")
    exports = DataExport.objects.select_related("created_by")[:LISTED]
    context = {"exports": exports, "formats": DataExport.Format.choices, "keep_days": KEEP_DAYS}
    return render(request, "exports/page.html", context)


@login_required
def data_export_row(request: Request, pk: int) -> HttpResponse:
    """One export's row, polled by htmx while it is being built."""
    return render(request, "exports/_row.html", {"export": _export(request, pk)})


@login_required
def data_export_file(request: Request, pk: int) -> FileResponse:
    export = _export(request, pk)
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
