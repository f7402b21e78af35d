"""/settings/export/: ask for a full export, follow its progress (htmx polls the row),
download the file; administrators only (the "export_all" capability)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.exports.access import data_export_file_response, data_export_for_user
from samphan.exports.build import (
    KEEP_DAYS,
    PERM,
    data_export_create,
)
from samphan.exports.models import DataExport

LISTED = 20


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
    return render(request, "exports/_row.html", {"export": data_export_for_user(request.user, pk)})


@login_required
def data_export_file(request: Request, pk: int) -> FileResponse:
    export = data_export_for_user(request.user, pk)
    return data_export_file_response(request.user, export)
