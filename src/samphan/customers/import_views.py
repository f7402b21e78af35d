"""The customer import pages (issue 21): upload a file, map its columns, preview the first
rows as they will be saved, start the import in the worker, follow its progress, read
its report; and the list of past imports.

The file waits between the steps as the importer's own upload (``imports/uploads.py``);
once started it is the ImportJob's. A job is seen by its importer and by those who see
every customer, as in the API."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samphan.core import uploads
from samphan.core.http import Request
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers.imports.fields import FULL_NAME, field_choices
from samphan.customers.imports.jobs import (
    FINISHED,
    import_job_cancel,
    import_job_create,
    import_job_progress,
)
from samphan.customers.imports.mapping import propose_mapping
from samphan.customers.imports.preview import preview_context
from samphan.customers.imports.readers import ReadError, Table, read_table
from samphan.customers.imports.uploads import (
    Upload,
    upload_delete,
    upload_load,
    upload_save,
    upload_update,
)
from samphan.customers.models import ImportJob, ImportMapping
from samphan.customers.services.import_mappings import (
    import_mapping_clean,
    import_mapping_for,
    import_mapping_save,
)

PERM = "customers.change_customer"
NAME_FIELDS = {"first_name", "first_name_en", FULL_NAME, "nickname"}
SAMPLES = 3
PAST_IMPORTS = 20
FAILED_SHOWN = 100
POLICY_HELP = {
    ImportMapping.Policy.SKIP: gettext_lazy("Leave the customer as it is; the row is skipped."),
    ImportMapping.Policy.FILL: gettext_lazy("What is already filled in does not change."),
    ImportMapping.Policy.UPDATE: gettext_lazy("Replace the customer's fields with the file's."),
    ImportMapping.Policy.CREATE: gettext_lazy(
        "For different people who share a phone or e-mail; review them later."
    ),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV, Excel (.xlsx) or contacts from a phone (.vcf), up to 32 MB; "
            "the first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx,.vcf"}),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding (CSV)"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect it")),
            ("utf-8", "UTF-8"),
            ("cp874", gettext_lazy("Thai Windows (cp874, TIS-620)")),
        ],
    )
    saved_mapping = forms.ModelChoiceField(
        label=gettext_lazy("Saved mapping"),
        required=False,
        queryset=ImportMapping.objects.none(),
        empty_label=gettext_lazy("Propose one from the column names"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["saved_mapping"]
        field.queryset = ImportMapping.objects.filter(owner=user).order_by("name")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        uploads.IMPORT.check(upload)  # before the file is read
        return upload


def _past_imports(request: Request) -> list[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by").defer("mapping")
    if not sees_all_records(request.user):
        jobs = jobs.filter(created_by=request.user)
    return list(jobs[:PAST_IMPORTS])


@login_required
def customer_import(request: Request) -> HttpResponse:
    """Step 1: the file, its encoding and a saved mapping; below, the past imports."""
    require_perm(request.user, PERM)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data = file.read()
        name = file.name or "import.csv"
        encoding = form.cleaned_data["encoding"] or ""
        try:
            read_table(data, name, encoding=encoding or None)
        except ReadError as error:
            form.add_error("file", error.messages)
        else:
            saved = form.cleaned_data["saved_mapping"]
            upload = Upload(token="", file_name=name[:200], encoding=encoding,
                            saved_mapping=saved.pk if saved else None)  # fmt: skip
            upload = upload_save(request.user, data, upload)
            return redirect("customer_import_mapping", token=upload.token)
    context = {"form": form, "jobs": _past_imports(request)}
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/import/upload.html", context, status=status)


def _upload(request: Request, token: str) -> tuple[Upload, bytes]:
    require_perm(request.user, PERM)
    found = upload_load(request.user, token)
    if found is None:  # another's token, or an upload already started
        raise Http404
    return found


def _start_mapping(request: Request, upload: Upload, table: Table) -> dict[int, str | None]:
    """The mapping to show: the last one previewed, the saved one chosen at upload, one
    saved for files with these headers, or the one proposed from the headers."""
    if upload.mapping:
        return {int(index): name for index, name in upload.mapping.items()}
    saved = None
    if upload.saved_mapping:
        saved = ImportMapping.objects.filter(pk=upload.saved_mapping, owner=request.user).first()
    saved = saved or import_mapping_for(table.headers, request.user)
    if saved is not None:
        upload.policy = upload.policy or saved.existing_policy
        columns = {i: f for i, f in saved.columns.items() if 0 <= i < len(table.headers)}
        return {i: columns.get(i) for i in range(len(table.headers))}
    return propose_mapping(table.headers)


def _posted_mapping(request: Request, table: Table) -> dict[int, str | None]:
    return {i: request.POST.get(f"col_{i}") or None for i in range(len(table.headers))}


def _check_mapping(table: Table, mapping: dict[int, str | None], policy: str) -> dict[str, Any]:
    """Errors by field (``mapping``, ``policy``); empty when the mapping can be used."""
    errors: dict[str, Any] = {}
    try:
        import_mapping_clean(table.headers, mapping)
    except ValidationError as error:
        errors["mapping"] = error.messages
    if not errors and not NAME_FIELDS & {f for f in mapping.values() if f}:
        errors["mapping"] = [
            _("Choose the column that holds the first name, the whole name or the nickname.")
        ]
    if policy not in ImportMapping.Policy.values:
        errors["policy"] = [_("Choose what a matching row does.")]
    return errors


@login_required
def customer_import_mapping(request: Request, token: str) -> HttpResponse:
    """Step 2 (GET, or a POST with errors): each column with samples and its field.
    Step 3 (a POST that maps at least a name): the preview, nothing written."""
    upload, data = _upload(request, token)
    sheet = request.POST.get("sheet", request.GET.get("sheet", upload.sheet))
    try:
        table = read_table(data, upload.file_name, encoding=upload.encoding or None,
                           sheet=sheet or None)  # fmt: skip
    except ReadError as error:
        if not sheet:
            raise Http404 from error  # read at upload: only a chosen sheet may fail
        table, sheet = read_table(data, upload.file_name, encoding=upload.encoding or None), ""
    if sheet != upload.sheet:
        upload.sheet, upload.mapping = sheet, {}
        upload_update(request.user, upload)
    errors: dict[str, Any] = {}
    if request.method == "POST" and "columns" in request.POST:
        mapping = _posted_mapping(request, table)
        policy = request.POST.get("policy", "")
        errors = _check_mapping(table, mapping, policy)
        save_as = request.POST.get("save_as", "").strip()
        if not errors and save_as:
            try:
                import_mapping_save(actor=request.user, name=save_as, headers=table.headers,
                                    mapping=mapping, existing_policy=policy)  # fmt: skip
            except ValidationError as error:
                errors["save_as"] = [m for ms in error.message_dict.values() for m in ms]
        if not errors:
            upload.mapping = {str(i): f for i, f in mapping.items()}
            upload.policy = policy
            upload_update(request.user, upload)
            context = preview_context(request.user, table, mapping, policy)
            context.update({"upload": upload, "table": table})
            return render(request, "customers/import/preview.html", context)
    else:
        mapping = _start_mapping(request, upload, table)
        policy = upload.policy or ImportMapping.Policy.SKIP
    columns = [
        {
            "index": index,
            "header": header,
            "samples": [row[index] for row in table.rows if row[index]][:SAMPLES],
            "field": mapping.get(index),
        }
        for index, header in enumerate(table.headers)
    ]
    context = {
        "upload": upload,
        "table": table,
        "columns": columns,
        "choices": field_choices(),
        "policy": policy,
        "policies": [(v, label, POLICY_HELP[v]) for v, label in ImportMapping.Policy.choices],  # type: ignore[index]
        "errors": errors,
        "save_as": request.POST.get("save_as", ""),
    }
    return render(request, "customers/import/mapping.html", context, status=400 if errors else 200)


@login_required
@require_POST
def customer_import_start(request: Request, token: str) -> HttpResponse:
    """Step 4: queue the import of the previewed mapping; its page follows it."""
    upload, data = _upload(request, token)
    if not upload.mapping:
        return redirect("customer_import_mapping", token=token)
    try:
        job = import_job_create(
            actor=request.user,
            data=data,
            file_name=upload.file_name,
            mapping={int(i): f for i, f in upload.mapping.items()},
            policy=upload.policy,
            encoding=upload.encoding or None,
            sheet=upload.sheet or None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("customer_import_mapping", token=token)
    upload_delete(request.user, token)
    return redirect("customer_import_job", pk=job.pk)


def _job(request: Request, pk: int) -> ImportJob:
    require_perm(request.user, PERM)
    job = ImportJob.objects.select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    if job.created_by_id != request.user.pk and not sees_all_records(request.user):
        raise PermissionDenied  # another's file names customers out of this rep's sight
    return job


@login_required
def customer_import_job(request: Request, pk: int) -> HttpResponse:
    """Step 5: the progress (polled by htmx until it ends), then the report."""
    job = _job(request, pk)
    percent, seconds_left = import_job_progress(job)
    context = {
        "job": job,
        "finished": job.status in FINISHED,
        "percent": percent,
        "minutes_left": None if seconds_left is None else max(1, round(seconds_left / 60)),
        "seconds_left": seconds_left,
        "failed_rows": [row.as_dict() for row in job.failed.all()[:FAILED_SHOWN]],
        "failed_more": max(0, job.failed_count - FAILED_SHOWN),
    }
    if request.htmx:
        return render(request, "customers/import/job.html#progress", context)
    return render(request, "customers/import/job.html", context)


@login_required
@require_POST
def customer_import_cancel(request: Request, pk: int) -> HttpResponse:
    job = import_job_cancel(actor=request.user, job=_job(request, pk))
    return redirect("customer_import_job", pk=job.pk)
