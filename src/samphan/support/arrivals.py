"""What the front desk hears of support when a customer arrives (``frontdesk.notes``): an
open ticket, or an unhappy answer (1-2 of 5) in the last ``UNHAPPY_DAYS`` days."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import Customer
from samphan.support.models import Survey, Ticket

UNHAPPY_DAYS = 30
UNHAPPY_AT_MOST = 2  # of 5


def support_notes(customer: Customer, reader: User | None) -> list[str]:
    """The card's lines for ``reader`` (the tickets they may see, with subjects), or the
    alert's (no details: it is shown to every member of its audience)."""
    tickets = Ticket.objects.filter(customer=customer, status__in=Ticket.OPEN_STATUSES)
    if reader is not None:
        tickets = tickets.visible_to(reader)
    notes = []
    latest = tickets.order_by("-created_at").values_list("pk", "subject")[:2]
    if latest and reader is None:
        notes.append(_("Has an open support ticket"))
    elif latest:
        pk, subject = latest[0]
        more = _(" (and more)") if len(latest) > 1 else ""
        notes.append(_("Open ticket #%(pk)s: %(subject)s%(more)s") % {
            "pk": pk, "subject": subject, "more": more,
        })  # fmt: skip
    since = timezone.now() - dt.timedelta(days=UNHAPPY_DAYS)
    unhappy = (
        Survey.objects.filter(
            customer=customer,
            answered_at__gte=since,
            score__lte=UNHAPPY_AT_MOST,
            kind=Survey.Kind.CSAT,
        )
        .order_by("-answered_at")
        .values_list("score", "answered_at")
        .first()
    )
    if unhappy is not None:
        score, answered = unhappy
        notes.append(_("Unhappy lately: %(score)s of 5 on %(day)s") % {
            "score": score, "day": timezone.localtime(answered).strftime("%d/%m"),
        })  # fmt: skip
    return notes
