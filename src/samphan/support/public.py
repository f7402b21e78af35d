"""Support's pages without login: the survey a customer answers through a signed link, and
the help form on the public site (``/p/help/``): anyone may ask, without login. The same
rules as the membership sign-up: a honeypot, a limit per sender address, the privacy
notice beside the form; what they write is kept to answer them (a service, so no
consent box to tick). It opens a ticket answered by e-mail, else by SMS."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samphan.core.forms import add_errors
from samphan.core.public import in_link_language, sender_hash, sender_of
from samphan.core.shop import shop_profile
from samphan.support import services, surveys
from samphan.support.forms import HelpForm
from samphan.support.models import FormSubmission, Survey, Ticket

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


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey a message linked to: its question in the customer's language (or the
    link's ``?lang=``), big buttons for a phone, an optional comment; answered once."""
    try:
        survey = surveys.survey_of(token)
    except surveys.LinkError as error:
        status = 410 if error.expired else 404
        return render(request, "support/survey.html", {"gone": error.expired}, status=status)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = survey.language
    with translation.override(language):
        context: dict[str, Any] = {
            "survey": survey,
            "shop": shop_profile(),
            "scores": range(1 if survey.kind == Survey.Kind.CSAT else 0, survey.top + 1),
            "language": language,
        }
        if request.method == "POST" and survey.answered_at is None:
            try:
                score = int(request.POST.get("score", ""))
                recorded = surveys.survey_answer(survey, score, request.POST.get("comment", ""))
            except ValueError:
                context["error"] = _("Choose a score from the row of numbers.")
                return render(request, "support/survey.html", context, status=400)
            context["thanks"] = recorded
            context["answered"] = not recorded
        else:
            context["answered"] = survey.answered_at is not None
        return render(request, "support/survey.html", context)
