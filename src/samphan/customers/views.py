"""Customer pages: list, 360 view, forms. Thin: parse, call a query or service, render."""

from collections.abc import Callable, Container
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core import exports
from samphan.core.dates import buddhist_era_preference
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.permissions import require_perm, sees_all_records
from samphan.customers import export_rows, queries, services
from samphan.customers.access import customer_for_user
from samphan.customers.dedupe.review import PERM as REVIEW_PERM
from samphan.customers.dedupe.review import review_count
from samphan.customers.forms import (
    TITLE_SUGGESTIONS,
    CompanyForm,
    ConsentForm,
    ContactPointForm,
    CustomerForm,
    InteractionForm,
)
from samphan.customers.list_page import filter_menus, list_rows
from samphan.customers.merge_views import merges_to_undo, undo_since
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomFieldDefinition,
)
from samphan.customers.page_forms import unbound_form_fields
from samphan.customers.panels import CUSTOMER_PANELS
from samphan.customers.seen import exported, seen
from samphan.customers.timeline import PAGE_ENTRIES, Cursor, timeline_page


def filters_from(request: Request) -> queries.CustomerFilters:
    """Filters from the query string; anything unknown or malformed is ignored."""
    get = request.GET

    def choice(name: str, allowed: Container[str], default: str = "") -> str:
        value = get.get(name, "")
        return value if value in allowed else default

    def number(name: str) -> int | None:
        value = get.get(name, "")
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    return queries.CustomerFilters(
        q=search_term(request),
        kind=choice("kind", Customer.Kind.values),
        stage=choice("stage", Customer.Stage.values),
        tier=choice("tier", Customer.Tier.values),
        industry=choice("industry", Customer.Industry.values),
        vip={"1": True, "0": False}.get(get.get("vip", "")),
        tag=number("tag"),
        owner=number("owner"),
        team=number("team"),
        archived=get.get("archived") == "1",
        # Only for who sees every customer: a scoped rep is never told (issue 20).
        duplicates=get.get("duplicates") == "1" and sees_all_records(request.user),
        sort=choice("sort", queries.SORTS, queries.DEFAULT_SORT),
    )


@login_required
def customer_list(request: Request) -> HttpResponse:
    require_perm(request.user, "customers.view_customer")
    filters = filters_from(request)
    page = queries.customer_page(request.user, filters, request.GET.get("page"))
    context = {
        "page": page,
        "rows": list_rows(list(page.object_list)),
        "filters": filters,
        # Only the whole page has the menus; a search as one types gets the results alone.
        "menus": None if request.htmx else filter_menus(filters),
        "reviews_duplicates": sees_all_records(request.user),
        # The review queue's badge, for who may merge (one count); not in the results
        # alone that a search as one types asks for.
        "duplicates_waiting": (
            review_count(request.user)
            if request.user.has_perm(REVIEW_PERM) and not request.htmx
            else None
        ),
        "may_export": request.user.has_perms(EXPORT_PERMS),
        "export_query": _export_query(request),
    }
    template = "customers/list.html#results" if request.htmx else "customers/list.html"
    return render(request, template, context)


# Who may download a list: who may see customers and segments (the segment export's
# capability), so not the front desk (docs/decisions.md, "Exporting a list").
EXPORT_PERMS = ("customers.view_customer", "marketing.view_segment")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_query(request: Request) -> str:
    """The list's filters and search, for its export links (the page number left out)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


@login_required
def customer_export(request: Request) -> HttpResponse | StreamingHttpResponse:
    """The list as it is filtered and searched, as CSV (streamed) or XLSX: the customers
    the user may see whose processing is not restricted, recorded in who saw whom."""
    for perm in EXPORT_PERMS:
        require_perm(request.user, perm)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(_("format: choose csv or xlsx."), status=400)
    customers = queries.customer_export(request.user, filters_from(request))
    exported(request.user, customers, _("customer list (%(format)s)") % {"format": fmt.upper()})
    table = export_rows.table(
        customers,
        language=translation.get_language(),
        buddhist_era=buddhist_era_preference.get(),
    )
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(exports.xlsx_workbook(_("Customers"), table, write_only=True)),
            content_type=XLSX,
        )
    else:
        response = StreamingHttpResponse(
            exports.csv_lines(table), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="customers.{fmt}"'
    return response


@login_required
def customer_options(request: Request) -> HttpResponse:
    """Datalist options for the customer picker: up to 20 visible matches."""
    require_perm(request.user, "customers.view_customer")
    query = request.GET.get(request.GET.get("field", ""), "")[:100]
    kind = request.GET.get("kind", "")
    filters = queries.CustomerFilters(q=query, kind=kind if kind in Customer.Kind.values else "")
    matches = queries.customer_list(request.user, filters)[:20] if len(query.strip()) >= 2 else []
    return render(request, "customers/options.html", {"matches": matches})


@login_required
def customer_detail(request: Request, pk: int) -> HttpResponse:
    before = Cursor.parse(request.GET.get("before", ""))
    if request.htmx and before:
        # "Show older": only the next entries (and the link after them).
        customer = customer_for_user(request.user, pk)
        return render(
            request,
            "customers/detail.html#timeline-entries",
            _timeline(request, customer, before),
        )
    customer = customer_for_user(request.user, pk, queryset=queries.customer_for_detail())
    seen(request.user, customer.pk, "page")
    return render(request, "customers/detail.html", _detail_context(request, customer, before))


def _timeline(request: Request, customer: Customer, before: Cursor | None = None) -> dict[str, Any]:
    entries, older = timeline_page(request.user, customer, before=before, size=PAGE_ENTRIES)
    return {"customer": customer, "timeline": entries, "older": older, "before": before}


def _detail_context(
    request: Request,
    customer: Customer,
    before: Cursor | None = None,
    interaction_form: InteractionForm | None = None,
) -> dict[str, Any]:
    """What the page shows of ``customer``, fetched with ``queries.customer_for_detail``."""
    since = undo_since()
    related = queries.customer_detail_related(customer, merges_since=since)
    consents = queries.consent_in_force(customer)
    contact_points = [
        (point, consents.get((point.channel or "", ConsentRecord.Purpose.MARKETING)))
        for point in customer.contact_points.all()
    ]
    return {
        **_timeline(request, customer, before),
        "contact_points": contact_points,
        "consents": sorted(consents.values(), key=lambda record: record.channel),
        "tags": related.tags,
        "interests": related.interests,
        "colleagues": queries.colleagues_of(customer)[:20],
        "custom_values": _custom_values(customer),
        # Unbound, the forms' HTML is the same for every customer (page_forms.py).
        **(
            {"interaction_form": interaction_form, "consent_form": ConsentForm()}
            if interaction_form
            else unbound_form_fields()
        ),
        "history": queries.audit_history(request.user, customer),
        "panel_urls": [reverse(name, args=[customer.pk]) for name in CUSTOMER_PANELS],
        "possible_duplicates": _possible_duplicates(request, customer),
        "merges": merges_to_undo(customer, since) if related.merges_open else [],
    }


def _possible_duplicates(request: Request, customer: Customer) -> list[Customer] | None:
    """For who sees every customer, the customers a flagged one may duplicate (issue 20);
    None when there is nothing to show this user."""
    if not customer.duplicate_review or not sees_all_records(request.user):
        return None
    contacts = [(point.kind, point.value) for point in customer.contact_points.all()]
    return list(services.duplicates_of(contacts, exclude_id=customer.pk)[:10])


@login_required
@require_POST
def customer_duplicate_reviewed(request: Request, pk: int) -> HttpResponse:
    """A manager has looked at a possible duplicate: the flag is cleared (merge, if it is
    one, from the other customer's page)."""
    customer = customer_for_user(request.user, pk, perm="customers.change_customer")
    if not sees_all_records(request.user):
        raise PermissionDenied
    services.duplicate_review_clear(actor=request.user, customer=customer)
    messages.success(request, _("Marked as reviewed."))
    return redirect("customer_detail", pk=pk)


def _custom_values(customer: Customer) -> list[tuple[str, Any]]:
    values = customer.custom_fields or {}
    if not any(value not in (None, "") for value in values.values()):
        return []  # nothing to show: the definitions need not be read
    return [
        (definition.label, values[definition.key])
        for definition in CustomFieldDefinition.objects.all()
        if values.get(definition.key) not in (None, "")
    ]


def _form_class(kind: str) -> type[CustomerForm]:
    return CompanyForm if kind == Customer.Kind.COMPANY else CustomerForm


@login_required
def customer_create(request: Request) -> HttpResponse:
    require_perm(request.user, "customers.add_customer")
    kind = request.GET.get("kind", Customer.Kind.PERSON)
    kind = kind if kind in Customer.Kind.values else Customer.Kind.PERSON
    company = request.GET.get("company", "")
    initial = {"company": int(company)} if company.isdigit() else {}
    form = _form_class(kind)(
        request.POST or None, request.FILES or None, user=request.user, kind=kind, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        customer = _save(
            request,
            form,
            lambda **kw: services.customer_create(
                contact_points=form.initial_contact_points(),
                allow_duplicate=form.allow_duplicate,
                **kw,
            ),
        )
        if customer:
            messages.success(request, _("%(name)s was added.") % {"name": customer})
            return redirect("customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"form": form, "kind": kind, "title_suggestions": TITLE_SUGGESTIONS},
    )


@login_required
def customer_edit(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.change_customer", queryset=queries.customer_for_page()
    )
    form = _form_class(customer.kind)(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        instance=customer,
        kind=customer.kind,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda **kw: services.customer_update(customer=customer, **kw))
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("customer_detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "kind": customer.kind,
            "customer": customer,
            "title_suggestions": TITLE_SUGGESTIONS,
        },
    )


def _save(request: Request, form: CustomerForm, write: Callable[..., Customer]) -> Customer | None:
    """Run a service with the form's data; its validation errors go back onto the form."""
    photo = form.cleaned_data.get("photo")  # False when "clear" is ticked
    try:
        return write(
            actor=request.user,
            fields=form.customer_fields(),
            tags=form.cleaned_data["tags"],
            interests=form.cleaned_data["interests"],
            photo="" if photo is False else photo or None,
        )
    except services.DuplicateContactError as error:
        form.show_duplicates(error)
    except ValidationError as error:
        add_errors(form, error)
    return None


@login_required
@require_POST
def customer_archive(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.archive_customer", queryset=queries.customer_for_page()
    )
    archive = request.POST.get("archive", "1") == "1"
    services.customer_archive(actor=request.user, customer=customer, archived=archive)
    messages.success(request, _("Archived.") if archive else _("Restored."))
    return redirect("customer_detail", pk=pk)


@login_required
def contact_point_form(request: Request, pk: int, point_pk: int | None = None) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.change_contactpoint", queryset=queries.customer_for_page()
    )
    point = _contact_point(customer, point_pk) if point_pk else None
    form = ContactPointForm(
        request.POST or None, instance=point, user=request.user, customer=customer
    )
    if request.method == "POST" and form.is_valid():
        fields = form.contact_point_fields()
        try:
            if point:
                services.contact_point_update(
                    actor=request.user,
                    contact_point=point,
                    fields=fields,
                    allow_duplicate=form.allow_duplicate,
                )
            else:
                services.contact_point_add(
                    actor=request.user,
                    customer=customer,
                    allow_duplicate=form.allow_duplicate,
                    **fields,
                )
        except services.DuplicateContactError as error:
            form.show_duplicates(error)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Contact point saved."))
            return redirect("customer_detail", pk=pk)
    return render(
        request,
        "customers/contact_point_form.html",
        {"form": form, "customer": customer, "point": point},
    )


def _contact_point(customer: Customer, point_pk: int) -> ContactPoint:
    for point in customer.contact_points.all():
        if point.pk == point_pk:
            return point
    raise Http404


@login_required
@require_POST
def contact_point_delete(request: Request, pk: int, point_pk: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.delete_contactpoint", queryset=queries.customer_for_page()
    )
    services.contact_point_remove(
        actor=request.user, contact_point=_contact_point(customer, point_pk)
    )
    messages.success(request, _("Contact point removed."))
    return redirect("customer_detail", pk=pk)


@login_required
@require_POST
def consent_change(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.add_consentrecord", queryset=queries.customer_for_page()
    )
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a channel, a purpose and granted or withdrawn."))
    else:
        services.consent_record(actor=request.user, customer=customer, **form.cleaned_data)
        messages.success(request, _("Consent recorded."))
    return redirect("customer_detail", pk=pk)


@login_required
@require_POST
def interaction_create(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, pk, perm="customers.add_interaction", queryset=queries.customer_for_detail()
    )
    form = InteractionForm(request.POST)
    if form.is_valid():
        services.interaction_log(actor=request.user, customer=customer, **form.cleaned_data)
        if not request.htmx:
            return redirect("customer_detail", pk=pk)
        form = InteractionForm(initial={"kind": form.cleaned_data["kind"]})
    if request.htmx:
        context = {**_timeline(request, customer), "interaction_form": form}
        return render(request, "customers/detail.html#timeline", context)
    # Without JavaScript: the whole page again, the messages next to the fields.
    context = _detail_context(request, customer, interaction_form=form)
    return render(request, "customers/detail.html", context)
