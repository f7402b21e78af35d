"""The one fetch-and-authorise of a full export, and its file as a download, for the
settings page and the API alike."""

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm
from samphan.exports.build import CONTENT_TYPES, PERM, data_export_download
from samphan.exports.models import DataExport


def data_export_for_user(user: User | AnonymousUser, pk: int) -> DataExport:
    """The export ``pk`` for an administrator (403 for anyone else), else 404."""
    require_perm(user, PERM)
    export = DataExport.objects.select_related("created_by").filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


def data_export_file_response(user: User, export: DataExport) -> FileResponse:
    """The export's file as a download (audited); 404 until it is built and once deleted."""
    try:
        stored = data_export_download(actor=user, export=export)
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        stored,  # streamed from the media storage (the local disk or the bucket)
        as_attachment=True,
        filename=export.file_name,
        content_type=CONTENT_TYPES[export.format],
    )
