"""Segment conditions from support (registered with marketing's rules): a customer's latest
satisfaction score (1-5), their latest recommendation answer as promoter (9-10), passive
(7-8) or detractor (0-6), and whether they have an open ticket. "Detractors who spent over
฿50,000 this year" is the NPS group condition with the spend in a period."""

from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from samphan.marketing.rules import Field
from samphan.support.models import Survey, Ticket

SUPPORT = _("Support")
NPS_GROUPS = {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}
NPS_CHOICES = [
    ("promoter", _("promoter (9-10)")),
    ("passive", _("passive (7-8)")),
    ("detractor", _("detractor (0-6)")),
]


def latest_answers(kind: str) -> Any:
    """Each customer's latest answered survey of ``kind`` (ties: the highest id)."""
    answered = Survey.objects.filter(kind=kind, answered_at__isnull=False)
    newest = (
        answered.filter(customer_id=OuterRef("customer_id"))
        .order_by("-answered_at", "-id")
        .values("pk")[:1]
    )
    return answered.filter(pk=Subquery(newest))


def _csat(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    score = int(value)
    bound = {"score__gte": score} if op == "gte" else {"score__lte": score}
    return Q(pk__in=latest_answers(Survey.Kind.CSAT).filter(**bound).values("customer_id"))


def _nps(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    wanted = Q()
    for group in value:
        low, high = NPS_GROUPS[group]
        wanted |= Q(score__gte=low, score__lte=high)
    q = Q(pk__in=latest_answers(Survey.Kind.NPS).filter(wanted).values("customer_id"))
    return q if op == "in" else ~q


def _open_ticket(op: str, value: Any, _rule: dict[str, Any]) -> Q:
    q = Q(pk__in=Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).values("customer_id"))
    return q if value else ~q


def support_fields() -> list[Field]:
    return [
        Field("csat", _("latest satisfaction (1-5)"), SUPPORT, ("gte", "lte"), "number", _csat),
        Field("nps", _("latest recommendation"), SUPPORT, ("in", "not_in"), "choices", _nps,
              lambda: list(NPS_CHOICES)),
        Field("open_ticket", _("has an open ticket"), SUPPORT, ("is",), "bool", _open_ticket),
    ]  # fmt: skip
