"""The product catalogue: list, form, CSV import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.sales import queries, services
from samphan.sales.access import product_for_user
from samphan.sales.forms import (
    ProductForm,
    ProductImportForm,
)
from samphan.sales.models import Category
from samphan.sales.views.common import number_param

# -- Products ---------------------------------------------------------------------------------


@login_required
def product_list(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_product")
    get = request.GET
    filters = queries.ProductFilters(
        q=search_term(request),
        category=number_param(get.get("category", "")),
        active={"1": True, "0": False, "all": None}.get(get.get("active", "1"), True),
        sort=get.get("sort", "name") if get.get("sort") in queries.PRODUCT_SORTS else "name",
    )
    context = {
        "page": paginate(request, queries.product_list(filters)),
        "filters": filters,
        "categories": Category.objects.all(),
    }
    template = "sales/product_list.html#results" if request.htmx else "sales/product_list.html"
    return render(request, template, context)


@login_required
def product_form(request: Request, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "sales.change_product" if pk else "sales.add_product")
    product = product_for_user(request.user, pk) if pk else None
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        try:
            if product:
                services.product_update(
                    actor=request.user,
                    product=product,
                    fields=form.product_fields(),
                    photo="" if photo is False else photo or None,
                )
            else:
                product = services.product_create(
                    actor=request.user, fields=form.product_fields(), photo=photo or None
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(product)s saved.") % {"product": product})
            return redirect("product_list")
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@login_required
def product_import(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.add_product")
    form = ProductImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as UTF-8 CSV."))
        else:
            report = services.product_import_csv(
                actor=request.user, text=text, skip_invalid=request.POST.get("skip_invalid") == "1"
            )
    refused = request.method == "POST" and (
        form.errors or (report is not None and report.errors and not report.written)
    )
    context = {"form": form, "report": report}
    return render(request, "sales/product_import.html", context, status=400 if refused else 200)
