"""Support's settings page (issue 23): every section's rows on one page, and one add or
edit page and one delete action serving every section (``settings_sections.py``)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.accounts.models import User
from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.permissions import record_for_user, require_perm
from samphan.support import settings_services as services
from samphan.support.settings_sections import BY_SLUG, Section, sections_for


@dataclass(frozen=True)
class Row:
    pk: int
    cells: list[tuple[str, str, bool, str]]  # text, detail, shown on a phone, language
    deletable: bool


@dataclass(frozen=True)
class Part:
    section: Section
    rows: list[Row]
    may_add: bool


def _may_delete(section: Section, user: User, row: Model | None) -> bool:
    return row is not None and section.may(user, "delete") and services.setting_deletable(row)


def _part(section: Section, user: User) -> Part:
    rows = [
        Row(
            row.pk,
            [
                (
                    column.text(row),
                    column.detail(row) if column.detail else "",
                    column.phone,
                    column.lang(row) if column.lang else "",
                )
                for column in section.columns
            ],
            _may_delete(section, user, row),
        )
        for row in section.rows()
    ]
    return Part(section, rows, section.may(user, "add"))


def _section(user: User, slug: str, action: str) -> Section:
    """404 for an unknown section or an action it does not have; 403 without the
    permission."""
    section = BY_SLUG.get(slug)
    if section is None or (section.one_row and action != "change"):
        raise Http404
    require_perm(user, section.perm(action))
    return section


def _overview(section: Section) -> str:
    return f"{reverse('support_settings')}#{section.slug}"


def _title(section: Section, row: Model | None) -> str:
    if section.one_row:
        return str(section.label)
    if row is None:
        return _("New %(thing)s") % {"thing": section.model._meta.verbose_name}
    return f"{capfirst(section.model._meta.verbose_name)}: {section.columns[0].text(row)}"


@login_required
def overview(request: Request) -> HttpResponse:
    sections = sections_for(request.user)
    if not sections:
        raise PermissionDenied
    parts = [_part(section, request.user) for section in sections]
    return render(request, "support/settings.html", {"parts": parts})


@login_required
def edit(request: Request, section: str, pk: int | None = None) -> HttpResponse:
    part = _section(request.user, section, "change" if pk else "add")
    row = record_for_user(part.model._default_manager.all(), request.user, pk) if pk else None
    form = part.form(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if row is None:
                services.setting_create(actor=request.user, model=part.model, fields=fields)
            else:
                services.setting_update(actor=request.user, row=row, fields=fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_overview(part))
    context = {
        "section": part,
        "form": form,
        "row": row,
        "title": _title(part, row),
        "back": _overview(part),
        "may_delete": _may_delete(part, request.user, row),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "support/setting_form.html", context, status=status)


@login_required
@require_POST
def delete(request: Request, section: str, pk: int) -> HttpResponse:
    part = _section(request.user, section, "delete")
    row = record_for_user(part.model._default_manager.all(), request.user, pk)
    try:
        services.setting_delete(actor=request.user, row=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Deleted: %(name)s") % {"name": part.columns[0].text(row)})
    return redirect(_overview(part))
