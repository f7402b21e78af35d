"""Product catalogue and order pages. Thin: parse, call a query or service, render."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.forms import (
    OrderForm,
    OrderLineFormSet,
    ProductForm,
    ProductImportForm,
    RefundLineForm,
)
from samphan.sales.models import Category, Order, Product


def _number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _page(request: HttpRequest, queryset: Any) -> Any:
    return CappedPaginator(queryset, settings.SAMPHAN_PAGE_SIZE).get_page(request.GET.get("page"))


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    for name, field_errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_errors)


# -- Products ---------------------------------------------------------------------------------


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "sales.view_product")
    get = request.GET
    filters = queries.ProductFilters(
        q=get.get("q", "")[:100],
        category=_number(get.get("category", "")),
        active={"1": True, "0": False, "all": None}.get(get.get("active", "1"), True),
        sort=get.get("sort", "name") if get.get("sort") in queries.PRODUCT_SORTS else "name",
    )
    context = {
        "page": _page(request, queries.product_list(filters)),
        "filters": filters,
        "categories": Category.objects.all(),
    }
    template = "sales/product_list.html#results" if request.htmx else "sales/product_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _product(pk: int) -> Product:
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


@login_required
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "sales.change_product" if pk else "sales.add_product")
    product = _product(pk) if pk else None
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
            _add_errors(form, error)
        else:
            messages.success(request, _("%(product)s saved.") % {"product": product})
            return redirect("product_list")
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@login_required
def product_import(request: HttpRequest) -> HttpResponse:
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
    return render(request, "sales/product_import.html", {"form": form, "report": report})


# -- Orders -----------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "sales.view_order")
    get = request.GET
    filters = queries.OrderFilters(
        customer=_number(get.get("customer", "")),
        channel=get.get("channel", "") if get.get("channel") in Order.Channel.values else "",
        status=get.get("status", "") if get.get("status") in Order.Status.values else "",
        since=_date(get.get("since", "")),
        until=_date(get.get("until", "")),
        q=get.get("q", "")[:100],
    )
    customer = None
    if filters.customer:
        customer = Customer.objects.visible_to(request.user).filter(pk=filters.customer).first()
    context = {
        "page": _page(request, queries.order_list(request.user, filters)),
        "filters": filters,
        "customer": customer,
        "channels": Order.Channel.choices,
        "statuses": Order.Status.choices,
    }
    template = "sales/order_list.html#results" if request.htmx else "sales/order_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def get_order_for_user(request: HttpRequest, pk: int, *, perm: str = "sales.view_order") -> Order:
    require_perm(request.user, perm)
    try:
        return queries.order_for_page(request.user, pk)
    except Order.DoesNotExist as error:
        raise Http404 from error


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request, pk)
    return render(request, "sales/order_detail.html", _order_context(order))


def _order_context(order: Order) -> dict[str, Any]:
    return {"order": order, "refund_rows": _refund_rows(order), "statuses": Order.Status.choices}


def _refund_rows(order: Order, data: Any = None) -> list[tuple[RefundLineForm, Product, Decimal]]:
    """One form per product still returnable: (form, product, quantity left)."""
    if order.status != Order.Status.PAID:
        return []
    products = {line.product_id: line.product for line in order.lines.all()}
    return [
        (RefundLineForm(data, prefix=f"r{pk}", initial={"product": pk}), products[pk], left)
        for pk, (left, _price) in services.refundable_by_product(order).items()
        if left > 0
    ]


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "sales.add_order")
    customer_id = _number(request.GET.get("customer", ""))
    form = OrderForm(request.POST or None, user=request.user, initial={"customer": customer_id})
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        inputs = [line for line in (f.line_input() for f in lines.forms) if line is not None]
        try:
            order, _created = services.order_record(
                actor=request.user,
                customer=form.cleaned_data["customer"],
                lines=inputs,
                channel=form.cleaned_data["channel"],
                ordered_at=form.cleaned_data["ordered_at"],
                sold_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _line_errors(form, lines, error)
        else:
            messages.success(request, _("Order %(number)s recorded.") % {"number": order.number})
            return redirect("order_detail", pk=order.pk)
    return render(request, "sales/order_form.html", {"form": form, "lines": lines})


def _line_errors(form: OrderForm, lines: Any, error: ValidationError) -> None:
    """Put ``lines.N.field`` errors on the N-th filled line form, the rest on the order form."""
    filled = [line_form for line_form in lines.forms if line_form.cleaned_data.get("product")]
    for name, field_errors in error.message_dict.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) == 3 and int(parts[1]) < len(filled):
            filled[int(parts[1])].add_error(parts[2], field_errors)
        else:
            form.add_error(name if name in form.fields else None, field_errors)


@login_required
@require_POST
def order_refund(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request, pk, perm="sales.change_order")
    forms = [form for form, _product, _left in _refund_rows(order, request.POST)]
    returned = [
        services.LineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"])
        for f in forms
        if f.is_valid() and f.cleaned_data.get("quantity")
    ]
    try:
        if not returned:
            raise ValidationError({"lines": _("Enter a quantity to return.")})
        services.order_refund(actor=request.user, order=order, lines=returned)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Return recorded."))
    return redirect("order_detail", pk=pk)


@login_required
@require_POST
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request, pk, perm="sales.change_order")
    try:
        services.order_set_status(
            actor=request.user, order=order, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Order status changed."))
    return redirect("order_detail", pk=pk)


@login_required
def customer_purchases(request: HttpRequest, pk: int) -> HttpResponse:
    """The purchase panel of the customer page: roll-up figures and the latest orders."""
    if not request.user.has_perm("sales.view_order"):
        return HttpResponse("")
    customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
    if customer is None:
        raise Http404
    summary = queries.customer_sales(pk)
    context = {
        "customer": customer,
        "summary": summary,
        "average": summary.revenue / summary.order_count if summary.order_count else None,
        "orders": queries.order_list(request.user, queries.OrderFilters(customer=pk))[:10],
    }
    return render(request, "sales/customer_purchases.html", context)
