"""Satisfaction surveys: a one-question message with a signed link, after a solved ticket or
a purchase (``SurveySettings``: which, how long after, on which channel), answered once
on a public page without login.

The worker looks every minute (``csat_round``) for tickets solved and paid orders made
``delay_hours`` ago, up to a week back, that have no survey yet. Each gets one: sent on
the customer's preferred channel (or the one set) under the service-purpose consent
rules, or kept as skipped with why (asked within ``quiet_days``, no channel allowed), so
nothing is looked at twice."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samphan.core.shop import shop_profile
from samphan.core.thai import has_thai
from samphan.customers.models import ConsentRecord, Customer
from samphan.messaging.consent import route
from samphan.messaging.models import Channel
from samphan.messaging.outbox import message_queue
from samphan.sales.models import Order
from samphan.support import services
from samphan.support.models import Survey, SurveySettings, Ticket

SALT = "support.survey"
LINK_DAYS = 30  # a link answers for this long after it was sent
LOOK_BACK = dt.timedelta(days=7)  # older tickets and orders are never asked about
BATCH = 200


class LinkError(Exception):
    """A survey link that is forged (``expired`` False) or too old (True)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def survey_settings() -> SurveySettings:
    return SurveySettings.objects.get_or_create(pk=1)[0]


def survey_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT)


def survey_url(survey: Survey) -> str:
    return shop_profile().public_url + reverse("survey_answer", args=[survey_token(survey)])


def survey_of(token: str) -> Survey:
    try:
        pk = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired as error:
        raise LinkError(expired=True) from error
    except signing.BadSignature as error:
        raise LinkError(expired=False) from error
    survey = Survey.objects.filter(pk=pk).select_related("customer").first()
    if survey is None or survey.skipped:
        raise LinkError(expired=False)
    return survey


UNHAPPY: dict[str, int] = {Survey.Kind.CSAT: 2, Survey.Kind.NPS: 6}  # at most: unhappy


@transaction.atomic
def survey_answer(survey: Survey, score: int, comment: str = "") -> bool:
    """Record the answer; False when the link was answered before (nothing changes). An
    unhappy answer opens a ticket to call the customer back (``ticket_when_unhappy``)."""
    if not 0 <= score <= survey.top or (survey.kind == Survey.Kind.CSAT and score < 1):
        raise ValueError(f"score out of range: {score}")
    recorded = bool(
        Survey.objects.filter(pk=survey.pk, answered_at=None).update(
            score=score, comment=comment.strip()[:2000], answered_at=timezone.now()
        )
    )
    if recorded and score <= UNHAPPY[survey.kind] and survey_settings().ticket_when_unhappy:
        _unhappy_ticket(survey, score, comment.strip())
    return recorded


def _unhappy_ticket(survey: Survey, score: int, comment: str) -> Ticket:
    """In the site's language: it is read by staff, not by the customer."""
    with translation.override(settings.LANGUAGE_CODE):
        about = (
            survey.ticket.number if survey.ticket else (survey.order.number if survey.order else "")
        )
        subject = _("Unhappy answer: %(score)s of %(top)s %(about)s") % {
            "score": score, "top": survey.top, "about": about,
        }  # fmt: skip
        body = comment or _("(no comment: call the customer to ask what went wrong)")
    return services.ticket_open(
        actor=None,
        subject=subject.strip(),
        body=body,
        channel=Ticket.Channel.WEB,
        customer=survey.customer,
        priority="high",
        team=survey.ticket.team if survey.ticket else None,
        owner=survey.ticket.owner if survey.ticket else None,
    )


def language_of(customer: Customer, ticket: Ticket | None) -> str:
    """Thai, unless what they wrote (or their name) has no Thai letter in it."""
    if ticket is not None:
        first = ticket.messages.order_by("id").values_list("body", flat=True).first() or ""
        return "th" if has_thai(first + ticket.subject) else "en"
    return "en" if customer.first_name_en and not customer.first_name else "th"


def survey_send(
    customer: Customer,
    *,
    ticket: Ticket | None = None,
    order: Order | None = None,
    options: SurveySettings,
    now: dt.datetime,
) -> Survey:
    """Ask one customer about one ticket or order (in the caller's transaction)."""
    survey = Survey(customer=customer, ticket=ticket, order=order, sent_at=now)
    quiet = now - dt.timedelta(days=options.quiet_days)
    if Survey.objects.filter(customer=customer, sent_at__gt=quiet, skipped="").exists():
        survey.skipped = _("Asked within the last %(days)s days.") % {"days": options.quiet_days}
        survey.save()
        return survey
    found = route(customer, ConsentRecord.Purpose.SERVICE, options.channel or None)
    if not found:
        survey.skipped = found.reason[:300]
        survey.save()
        return survey
    survey.language = language_of(customer, ticket)
    survey.save()
    with translation.override(survey.language):
        shop = shop_profile().name_in(survey.language)
        about = (
            _("your request %(number)s") % {"number": ticket.number}
            if ticket
            else _("your purchase %(number)s") % {"number": order.number if order else ""}
        )
        text = _(
            "How satisfied are you with %(about)s? Answer in a few seconds (1-5): %(link)s"
        ) % {
            "about": about,
            "link": survey_url(survey),
        }
        subject = _("How did we do? %(shop)s") % {"shop": shop}
    survey.message = message_queue(
        customer=customer,
        channel=found.channel,
        purpose=ConsentRecord.Purpose.SERVICE,
        to=found.to,
        subject=subject if found.channel == Channel.EMAIL else "",
        text=text,
        idempotency_key=f"survey-{survey.pk}",
    )
    survey.save(update_fields=["language", "message"])
    return survey


def _due[M: Ticket | Order](queryset: QuerySet[M], field: str, cutoff: dt.datetime) -> QuerySet[M]:
    return queryset.filter(
        **{f"{field}__lte": cutoff, f"{field}__gt": cutoff - LOOK_BACK, "survey__isnull": True}
    ).order_by(field)[:BATCH]


def csat_round(now: dt.datetime | None = None) -> int:
    """One look for tickets and orders to ask about; how many surveys were made."""
    now = now or timezone.now()
    options = survey_settings()
    cutoff = now - dt.timedelta(hours=options.delay_hours)
    made = 0
    if options.after_ticket:
        solved = Ticket.objects.filter(
            status__in=(Ticket.Status.SOLVED, Ticket.Status.CLOSED), customer__isnull=False
        ).select_related("customer")
        for ticket in _due(solved, "solved_at", cutoff):
            if ticket.customer is not None:  # filtered so; said again for the type checker
                with transaction.atomic():
                    survey_send(ticket.customer, ticket=ticket, options=options, now=now)
                made += 1
    if options.after_purchase:
        paid = Order.objects.filter(status=Order.Status.PAID).select_related("customer")
        for order in _due(paid, "ordered_at", cutoff):
            with transaction.atomic():
                survey_send(order.customer, order=order, options=options, now=now)
            made += 1
    return made


def nps_link(campaign_id: int, customer_id: int | None) -> str:
    """``{{ nps_link }}`` in a campaign: the recipient's own 0-10 survey (made once per
    campaign and customer), or for a preview or a test a link that opens nothing (no
    signature: the survey page answers it 404)."""
    if customer_id is None:
        return shop_profile().public_url + reverse("survey_answer", args=["preview"])
    survey, _made = Survey.objects.get_or_create(
        campaign_id=campaign_id,
        customer_id=customer_id,
        defaults={"kind": Survey.Kind.NPS, "sent_at": timezone.now()},
    )
    return survey_url(survey)
