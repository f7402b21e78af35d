"""Staff pages for segments: the list, the builder with its live count and sample, a
segment's customers (and a static list's members, added by hand or from a CSV file)."""

import json
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core import exports
from samphan.core.dates import buddhist_era_preference
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers import export_rows
from samphan.customers.access import customer_for_user
from samphan.customers.seen import exported
from samphan.marketing import queries, rules, services
from samphan.marketing.access import segment_for_user
from samphan.marketing.forms import MembersImportForm, SegmentForm
from samphan.marketing.models import Segment, SegmentMember


def id_param(raw: str | None) -> int:
    """A record's id from a form or a link; 0 (which finds nothing) when it is not one."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


@login_required
def segment_list(request: Request) -> HttpResponse:
    require_perm(request.user, "marketing.view_segment")
    found = Segment.objects.all()
    q = search_term(request).strip()
    if q:
        found = found.filter(name__icontains=q)
    context = {"page": paginate(request, found), "q": q}
    return render(request, "marketing/segment_list.html", context)


def _builder_context(
    form: SegmentForm, segment: Segment | None, rules_value: Any
) -> dict[str, Any]:
    return {
        "form": form,
        "segment": segment,
        "fields": [field.describe() for field in rules.all_fields().values()],
        "rules_value": rules_value,
    }


@login_required
def segment_edit(request: Request, pk: int | None = None) -> HttpResponse:
    segment = segment_for_user(request.user, pk) if pk else None
    require_perm(request.user, "marketing.change_segment" if segment else "marketing.add_segment")
    initial = (
        {"name": segment.name, "description": segment.description, "kind": segment.kind,
         "rules": json.dumps(segment.rules, ensure_ascii=False)}
        if segment
        else {"kind": request.GET.get("kind", Segment.Kind.RULES)}
    )  # fmt: skip
    form = SegmentForm(request.POST or None, initial=initial)
    if segment:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.segment_save(
                actor=request.user,
                segment=segment,
                name=data["name"],
                description=data["description"],
                kind=segment.kind if segment else data["kind"],
                rules=data["rules"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            flash.success(request, _("%(segment)s saved.") % {"segment": saved.name})
            return redirect("segment_detail", saved.pk)
    rules_value = form.data.get("rules") if form.is_bound else initial.get("rules")
    status = 400 if request.method == "POST" else 200
    context = _builder_context(form, segment, rules_value or "")
    return render(request, "marketing/segment_form.html", context, status=status)


@login_required
@require_POST
def segment_preview(request: Request) -> HttpResponse:
    """The builder's live count and sample of the rules being edited."""
    require_perm(request.user, "marketing.view_segment")
    context: dict[str, Any] = {}
    try:
        parsed = json.loads(request.POST.get("rules") or '{"match": "all", "rules": []}')
        context["count"], context["sample"] = queries.preview(request.user, parsed)
    except (json.JSONDecodeError, TypeError):
        context["error"] = _("The rules are not valid JSON.")
    except rules.RuleError as error:
        context["error"], context["error_path"] = error.message, error.path
    return render(request, "marketing/_preview.html", context)


@login_required
def segment_detail(request: Request, pk: int) -> HttpResponse:
    segment = segment_for_user(request.user, pk, perm="marketing.view_segment")
    try:
        customers = queries.segment_customers(request.user, segment)
        page = paginate(request, customers.select_related("owner"))
        error = None
        queries.count_remember(request.user, segment, page.paginator)
    except rules.RuleError as failure:  # a field its rules test was removed since
        page, error = None, failure
    context = {
        "segment": segment,
        "page": page,
        "error": error,
        "import_form": MembersImportForm(),
        "conditions": _conditions(segment),
    }
    partial = request.htmx
    template = "marketing/segment_detail.html" + ("#members" if partial else "")
    return render(request, template, context)


def _conditions(segment: Segment) -> list[str]:
    """The rules in words, one line per condition, groups indented by dashes."""
    fields = rules.all_fields()
    lines: list[str] = []

    def walk(group: dict[str, Any], depth: int) -> None:
        joiner = _("all of") if group.get("match", "all") == "all" else _("any of")
        lines.append(f"{'— ' * depth}{joiner}:")
        for rule in group.get("rules", []):
            if isinstance(rule, dict) and "rules" in rule:
                walk(rule, depth + 1)
            elif isinstance(rule, dict):
                lines.append(f"{'— ' * (depth + 1)}{_describe(fields, rule)}")

    if not segment.is_static and segment.rules.get("rules"):
        walk(segment.rules, 0)
    return lines


def _describe(fields: dict[str, rules.Field], rule: dict[str, Any]) -> str:
    field = fields.get(rule.get("field", ""))
    if field is None:
        return str(rule.get("field", "?"))
    labels = {str(value): str(label) for value, label in (field.choices() if field.choices else [])}
    value = rule.get("value")
    shown = (
        ", ".join(labels.get(str(item), str(item)) for item in value)
        if isinstance(value, list)
        else labels.get(str(value), "" if value is None else str(value))
    )
    if isinstance(value, bool):
        shown = _("yes") if value else _("no")
    period = _(" in the last %(days)s days") % {"days": rule.get("days")} if field.period else ""
    return f"{field.label}{period} {rules.OPERATORS.get(rule.get('op', ''), '')} {shown}".strip()


@login_required
def segment_export(request: Request, pk: int) -> StreamingHttpResponse:
    """The segment's customers (those the user may see) as CSV, streamed."""
    segment = segment_for_user(request.user, pk, perm="marketing.view_segment")
    listed = queries.segment_customers(request.user, segment)
    exported(request.user, listed, f"{segment.name} (#{segment.pk}, CSV)")
    table = export_rows.table(
        listed, language=translation.get_language(), buddhist_era=buddhist_era_preference.get()
    )
    rows = exports.csv_lines(table)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
    return response


@login_required
@require_POST
def segment_delete(request: Request, pk: int) -> HttpResponse:
    segment = segment_for_user(request.user, pk, perm="marketing.delete_segment")
    try:
        services.segment_delete(actor=request.user, segment=segment)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("segment_detail", segment.pk)
    flash.success(request, _("%(segment)s deleted.") % {"segment": segment.name})
    return redirect("segment_list")


@login_required
@require_POST
def members_import(request: Request, pk: int) -> HttpResponse:
    segment = segment_for_user(request.user, pk, perm="marketing.change_segment", static_only=True)
    form = MembersImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as UTF-8 CSV."))
        else:
            report = services.members_import_csv(
                actor=request.user,
                segment=segment,
                text=text,
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
            if not report.errors or report.added or report.already:
                flash.success(
                    request,
                    _("%(added)s added, %(already)s on the list already.")
                    % {"added": report.added, "already": report.already},
                )
            if not report.errors:
                return redirect("segment_detail", segment.pk)
    context = {"segment": segment, "form": form, "report": report}
    return render(request, "marketing/members_import.html", context, status=400)


@login_required
@require_POST
def members_change(request: Request, pk: int) -> HttpResponse:
    """Take a customer off a static list (``action=remove``) or add them to it."""
    segment = segment_for_user(request.user, pk, perm="marketing.change_segment", static_only=True)
    customer = customer_for_user(request.user, id_param(request.POST.get("customer")))
    if request.POST.get("action") == "remove":
        services.members_remove(actor=request.user, segment=segment, customer_ids=[customer.pk])
        flash.success(request, _("Taken off %(list)s.") % {"list": segment.name})
    else:
        services.members_add(actor=request.user, segment=segment, customer_ids=[customer.pk])
        flash.success(request, _("Added to %(list)s.") % {"list": segment.name})
    back = request.POST.get("next", "")
    if back == "customer":
        return redirect("customer_detail", customer.pk)
    return redirect("segment_detail", segment.pk)


@login_required
def customer_lists(request: Request, pk: int) -> HttpResponse:
    """The customer page's panel: the static lists they are on; a POST adds them to one."""
    customer = customer_for_user(request.user, pk)
    if request.method == "POST":
        segment = segment_for_user(
            request.user,
            id_param(request.POST.get("segment")),
            perm="marketing.change_segment",
            static_only=True,
        )
        services.members_add(actor=request.user, segment=segment, customer_ids=[customer.pk])
        flash.success(request, _("Added to %(list)s.") % {"list": segment.name})
        return redirect("customer_detail", customer.pk)
    if not request.user.has_perm("marketing.view_segment"):
        return HttpResponse("")
    on = Segment.objects.filter(
        pk__in=SegmentMember.objects.filter(customer=customer).values("segment_id")
    )
    others = Segment.objects.filter(kind=Segment.Kind.STATIC).exclude(pk__in=on.values("pk"))
    context = {"customer": customer, "lists": on, "others": others}
    return render(request, "marketing/customer_lists.html", context)
