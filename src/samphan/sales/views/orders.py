"""Orders: list, form, detail with returns and status, the purchases card."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm, BaseFormSet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.sales import queries, services
from samphan.sales.access import order_for_user
from samphan.sales.forms import (
    OrderForm,
    OrderLineForm,
    OrderLineFormSet,
    RefundLineForm,
)
from samphan.sales.models import Order, Product
from samphan.sales.views.common import date_param, number_param, panel_customer

# -- Orders -----------------------------------------------------------------------------------


@login_required
def order_list(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.view_order")
    get = request.GET
    filters = queries.OrderFilters(
        customer=number_param(get.get("customer", "")),
        channel=get.get("channel", "") if get.get("channel") in Order.Channel.values else "",
        status=get.get("status", "") if get.get("status") in Order.Status.values else "",
        since=date_param(get.get("since", "")),
        until=date_param(get.get("until", "")),
        q=search_term(request),
    )
    customer = None
    if filters.customer:
        customer = Customer.objects.visible_to(request.user).filter(pk=filters.customer).first()
    context = {
        "page": paginate(request, queries.order_list(request.user, filters)),
        "filters": filters,
        "customer": customer,
        "channels": Order.Channel.choices,
        "statuses": Order.Status.choices,
    }
    template = "sales/order_list.html#results" if request.htmx else "sales/order_list.html"
    return render(request, template, context)


@login_required
def order_detail(request: Request, pk: int) -> HttpResponse:
    order = order_for_user(request.user, pk, perm="sales.view_order")
    return render(request, "sales/order_detail.html", _order_context(order))


def _order_context(order: Order) -> dict[str, Any]:
    return {"order": order, "refund_rows": _refund_rows(order), "statuses": Order.Status.choices}


def _refund_rows(
    order: Order, data: QueryDict | None = None
) -> list[tuple[RefundLineForm, Product, Decimal]]:
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
def order_create(request: Request) -> HttpResponse:
    require_perm(request.user, "sales.add_order")
    customer_id = number_param(request.GET.get("customer", ""))
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
            line_form_errors(form, lines, error)
        else:
            messages.success(request, _("Order %(number)s recorded.") % {"number": order.number})
            return redirect("order_detail", pk=order.pk)
    return render(request, "sales/order_form.html", {"form": form, "lines": lines})


def line_form_errors(
    form: BaseForm, lines: BaseFormSet[OrderLineForm], error: ValidationError
) -> None:
    """Put ``lines.N.field`` errors on the N-th filled line form, the rest on the order form."""
    filled = [line_form for line_form in lines.forms if line_form.cleaned_data.get("product")]
    rest: dict[str, list[str]] = {}
    for name, field_errors in error.message_dict.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) == 3 and int(parts[1]) < len(filled):
            filled[int(parts[1])].add_error(parts[2], field_errors)
        else:
            rest[name] = field_errors
    add_errors(form, ValidationError(rest))


@login_required
@require_POST
def order_refund(request: Request, pk: int) -> HttpResponse:
    order = order_for_user(request.user, pk, perm="sales.change_order")
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
def order_status(request: Request, pk: int) -> HttpResponse:
    order = order_for_user(request.user, pk, perm="sales.change_order")
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
def customer_purchases(request: Request, pk: int) -> HttpResponse:
    """The purchase panel of the customer page: roll-up figures and the latest orders."""
    customer = panel_customer(request, pk)
    if customer is None:
        return HttpResponse("")
    summary = queries.customer_sales(pk)
    context = {
        "customer": customer,
        "summary": summary,
        "average": summary.revenue / summary.order_count if summary.order_count else None,
        "orders": queries.order_list(request.user, queries.OrderFilters(customer=pk))[:10],
    }
    return render(request, "sales/customer_purchases.html", context)
