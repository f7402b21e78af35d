"""Staff pages: the outbox (every message and how it went) and writing to one customer."""

import uuid

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.forms import add_errors
from samphan.core.http import Request, search_term
from samphan.core.pagination import paginate
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import ConsentRecord, Customer, purpose_heading
from samphan.messaging import consent, services
from samphan.messaging.channels.sms import sms_length
from samphan.messaging.forms import PREFERRED, MessageForm
from samphan.messaging.models import Channel, Message, Suppression


def messages_visible(user: User) -> QuerySet[Message]:
    return Message.objects.visible_to(user)


@login_required
def outbox(request: Request) -> HttpResponse:
    require_perm(request.user, "messaging.view_message")
    get = request.GET
    status = get.get("status", "") if get.get("status") in Message.Status.values else ""
    channel = get.get("channel", "") if get.get("channel") in Channel.values else ""
    q = search_term(request).strip()
    found = messages_visible(request.user).select_related("customer")
    if status:
        found = found.filter(status=status)
    if channel:
        found = found.filter(channel=channel)
    if q:
        found = found.filter(to__icontains=q)
    counts = dict(
        messages_visible(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "page": paginate(request, found),
        "filters": {"status": status, "channel": channel, "q": q},
        "statuses": Message.Status.choices,
        "channels": Channel.choices,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Message.Status.choices],
    }
    template = "messaging/outbox.html#results" if request.htmx else "messaging/outbox.html"
    return render(request, template, context)


@login_required
def message_new(request: Request, customer_id: int) -> HttpResponse:
    customer = customer_for_user(
        request.user, customer_id, perm="messaging.add_message", queryset=Customer.objects.active()
    )
    form = MessageForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message, _new = services.message_send(
                actor=request.user,
                customer=customer,
                channel=None if data["channel"] == PREFERRED else data["channel"],
                purpose=data["purpose"],
                subject=data["subject"],
                text=data["text"],
                idempotency_key=f"staff:{data['key']}",
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            flash.success(
                request,
                _("Queued: %(channel)s to %(to)s.")
                % {"channel": message.get_channel_display(), "to": message.to},
            )
            return redirect("customer_detail", customer.pk)
    status = 400 if request.method == "POST" else 200
    # The purpose the form starts on first, then the others in their declared order.
    first = form.fields["purpose"].initial
    purposes = sorted(consent.PURPOSES, key=lambda purpose: purpose != first)
    routes = [
        (capfirst(ConsentRecord.Purpose(purpose).label), route)
        for purpose, route in consent.purpose_routes(customer, purposes).items()
    ]
    context = {"customer": customer, "form": form, "routes": routes}
    return render(request, "messaging/message_form.html", context, status=status)


@login_required
def customer_reach(request: Request, pk: int) -> HttpResponse:
    """The customer page's panel: where a message of each purpose would go (or why
    nowhere), their addresses on the suppression list, their LINE accounts."""
    customer = customer_for_user(request.user, pk)
    found = consent.addresses(customer)
    suppressed = Suppression.objects.filter(
        Q(customer_id=pk) | Q(address__in=list(found.values()))
    ).order_by("-at")
    context = {
        "customer": customer,
        "routes": [
            (purpose_heading(purpose), route)
            for purpose, route in consent.purpose_routes(customer).items()
        ],
        "suppressed": suppressed,
        "line_accounts": customer.line_accounts.all(),
    }
    return render(request, "messaging/customer_reach.html", context)


@login_required
def sms_length_view(request: Request) -> HttpResponse:
    """The SMS parts a text takes, for the counter under the message box."""
    length = sms_length(request.GET.get("text", "")[:5000])
    return render(request, "messaging/_sms_length.html", {"length": length})
