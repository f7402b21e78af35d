"""The help form on the public site (``/p/help/``): anyone may ask, without login. The same
rules as the membership sign-up: a honeypot, a limit per sender address, the privacy
notice beside the form; what they write is kept to answer them (a service, so no
consent box to tick). It opens a ticket answered by e-mail, else by SMS."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from samphan.core.forms import add_errors
from samphan.core.public import in_link_language, sender_hash, sender_of
from samphan.core.shop import shop_profile
from samphan.support import services
from samphan.support.forms import HelpForm
from samphan.support.models import FormSubmission, Ticket

LIMIT = 5  # requests per sender address per window
WINDOW = dt.timedelta(minutes=10)


def allowed(sender: str) -> bool:
    recent = FormSubmission.objects.filter(
        sender_hash=sender_hash(sender), created_at__gte=timezone.now() - WINDOW
    )
    return recent.count() < LIMIT


@in_link_language
def help_form(request: HttpRequest) -> HttpResponse:
    form = HelpForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "shop": shop_profile()}
    template = "support/help_form.html"
    if request.method != "POST":
        return render(request, template, context)
    if request.POST.get("website"):  # the honeypot: a bot; say thanks, keep nothing
        return render(request, template, {**context, "sent": True})
    sender = sender_of(request)
    if not allowed(sender):
        return render(request, template, {**context, "limited": True}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        email = data["email"].strip().lower()
        try:
            with transaction.atomic():
                ticket = services.ticket_open(
                    actor=None,
                    subject=data["subject"],
                    body=data["body"],
                    channel=Ticket.Channel.WEB,
                    address=email or data["mobile"],
                    requester=data["name"],
                )
                FormSubmission.objects.create(ticket=ticket, sender_hash=sender_hash(sender))
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render(request, template, {**context, "sent": True, "ticket": ticket})
    return render(request, template, context, status=400)
