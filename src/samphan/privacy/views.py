"""The pages of data-subject requests and the breach register (managers and admins), and
the privacy panel of the customer page (restriction by hand)."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers import services as customer_services
from samphan.customers.access import customer_for_user
from samphan.privacy import services
from samphan.privacy.forms import (
    BreachForm,
    RestrictForm,
    SubjectRequestForm,
    SubjectRequestProgressForm,
)
from samphan.privacy.models import Breach, SubjectRequest
from samphan.privacy.request_queries import (
    VIEW_REQUESTS,
    RequestFilters,
    breach_for_user,
    requests_listed,
    subject_request_for_user,
)

CHANGE_REQUESTS = "privacy.change_subjectrequest"


def _saved[M: Model](
    request: Request, form: forms.BaseForm, write: Callable[..., M], done: str, page: str
) -> HttpResponse | None:
    """For a posted ``form`` that is valid and that ``write`` (a service, given ``data``)
    takes: ``done`` said, and the way to the written record's ``page``. None otherwise:
    nothing posted, the form invalid, or the service refused (its errors are then on the
    form's fields)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        written = write(data=form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
        return None
    messages.success(request, done)
    return redirect(page, pk=written.pk)


@login_required
def subject_request_list(request: Request) -> HttpResponse:
    require_perm(request.user, VIEW_REQUESTS)
    get = request.GET
    status = get.get("status", "unfinished")
    kind = get.get("kind", "")
    filters = RequestFilters(
        kind=kind if kind in SubjectRequest.Kind.values else "",
        status=status if status in {*SubjectRequest.Status.values, "all"} else "unfinished",
        q=search_term(request),
    )
    context = {
        "page": paginate(request, requests_listed(filters)),
        "filters": filters,
        "kinds": SubjectRequest.Kind.choices,
        "statuses": SubjectRequest.Status.choices,
    }
    template = "privacy/request_list.html#results" if request.htmx else "privacy/request_list.html"
    return render(request, template, context)


@login_required
def subject_request_create(request: Request) -> HttpResponse:
    require_perm(request.user, "privacy.add_subjectrequest")
    # Most requests are logged the day they come in: received today unless changed.
    initial: dict[str, Any] = {"handled_by": request.user.pk, "received_on": timezone.localdate()}
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        customer = customer_for_user(request.user, int(customer_id))
        initial |= {"customer": customer.pk, "requester_name": customer.display_name}
    form = SubjectRequestForm(request.POST or None, initial=initial, user=request.user)
    write = partial(services.subject_request_create, actor=request.user)
    saved = _saved(request, form, write, _("Request logged."), "subject_request_detail")
    return saved or render(request, "privacy/request_form.html", {"form": form})


@login_required
def subject_request_detail(request: Request, pk: int) -> HttpResponse:
    subject_request = subject_request_for_user(request.user, pk)
    form = SubjectRequestProgressForm(
        request.POST or None, instance=subject_request, user=request.user
    )
    if request.method == "POST":
        require_perm(request.user, CHANGE_REQUESTS)
        write = partial(
            services.subject_request_update, actor=request.user, request=subject_request
        )
        if saved := _saved(request, form, write, _("Request saved."), "subject_request_detail"):
            return saved
        # The page shows the request as stored, the form what was sent.
        subject_request = subject_request_for_user(request.user, pk)
    return render(
        request,
        "privacy/request_detail.html",
        {"subject_request": subject_request, "form": form},
    )


# -- Breaches ----------------------------------------------------------------------------


@login_required
def breach_list(request: Request) -> HttpResponse:
    require_perm(request.user, "privacy.view_breach")
    page = paginate(request, Breach.objects.order_by("-found_at", "-id"))
    return render(request, "privacy/breach_list.html", {"page": page})


@login_required
def breach_create(request: Request) -> HttpResponse:
    require_perm(request.user, "privacy.add_breach")
    # Recorded as soon as it is found: "found" is now unless changed (the 72 hours run).
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = BreachForm(request.POST or None, initial={"found_at": now})
    write = partial(services.breach_create, actor=request.user)
    saved = _saved(request, form, write, _("Breach recorded."), "breach_detail")
    return saved or render(request, "privacy/breach_form.html", {"form": form})


@login_required
def breach_detail(request: Request, pk: int) -> HttpResponse:
    breach = breach_for_user(request.user, pk)
    form = BreachForm(request.POST or None, instance=breach)
    if request.method == "POST":
        require_perm(request.user, "privacy.change_breach")
        write = partial(services.breach_update, actor=request.user, breach=breach)
        if saved := _saved(request, form, write, _("Breach saved."), "breach_detail"):
            return saved
        breach.refresh_from_db()
    customers = breach.customers.order_by("display_name")[:50]
    return render(
        request,
        "privacy/breach_detail.html",
        {"breach": breach, "form": form, "customers": customers},
    )


# -- The customer page's privacy panel ---------------------------------------------------


@login_required
def customer_privacy(request: Request, pk: int) -> HttpResponse:
    customer = customer_for_user(request.user, pk, perm="customers.view_customer")
    handles = request.user.has_perm(VIEW_REQUESTS)
    requests = (
        list(SubjectRequest.objects.filter(customer=customer).order_by("-received_on", "-id")[:5])
        if handles
        else []
    )
    context = {"customer": customer, "requests": requests, "restrict": RestrictForm()}
    return render(request, "privacy/request_customer_panel.html", context)


@login_required
@require_POST
def customer_restrict(request: Request, pk: int) -> HttpResponse:
    require_perm(request.user, CHANGE_REQUESTS)
    customer = customer_for_user(request.user, pk, perm="customers.view_customer")
    form = RestrictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why processing is restricted."))
        return redirect("customer_detail", pk=pk)
    customer_services.customer_restrict(
        actor=request.user, customer=customer, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Processing restricted: out of segments, campaigns and exports."))
    return redirect("customer_detail", pk=pk)


@login_required
@require_POST
def customer_restriction_lift(request: Request, pk: int) -> HttpResponse:
    require_perm(request.user, CHANGE_REQUESTS)
    customer = customer_for_user(request.user, pk, perm="customers.view_customer")
    customer_services.customer_restriction_lift(actor=request.user, customer=customer)
    messages.success(request, _("Restriction lifted."))
    return redirect("customer_detail", pk=pk)
