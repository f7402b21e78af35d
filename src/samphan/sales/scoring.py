"""Which lead or deal to work next: a transparent score with the reasons shown.

Each score is a sum of small, named parts, so a rep can see why a deal is on top ("+25
closes within 14 days", "−12 stuck 26 days in Quoted"). The parts are plain rules rather
than a fitted model: a shop has too few closed deals for a model to beat them, and a score
nobody can explain is a score nobody follows. Weights are constants here, in one place.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.money import format_baht
from samphan.customers.models import Customer, Interaction
from samphan.sales.models import Deal, Lead, Order, Stage
from samphan.sales.purchases import purchase_totals

ENGAGEMENT_DAYS = 14
STALL_AFTER_DAYS = 14
WORK_NEXT_LIMIT = 50


@dataclass
class Score:
    total: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        if points:
            self.total += points
            self.reasons.append((points, reason))

    def finish(self) -> "Score":
        self.total = max(0, min(100, self.total))
        self.reasons.sort(key=lambda item: -abs(item[0]))
        return self


def _engagement(score: Score, recent: int, last: dt.datetime | None, now: dt.datetime) -> None:
    if recent:
        score.add(
            min(recent, 4) * 5,
            _("%(count)d contacts in the last %(days)d days")
            % {"count": recent, "days": ENGAGEMENT_DAYS},
        )
    if last is None:
        score.add(-5, _("never contacted"))
    elif (now - last).days > 30:
        score.add(-10, _("no contact for %(days)d days") % {"days": (now - last).days})


def deal_score(deal: Any, *, median_amount: Decimal, now: dt.datetime) -> Score:
    """``deal`` carries the annotations of ``scored_deals``: recent_contacts, last_contact."""
    score = Score()
    score.add(
        deal.stage.probability // 4,
        _("stage %(stage)s (%(p)d%%)") % {"stage": deal.stage.label, "p": deal.stage.probability},
    )
    if median_amount and deal.amount >= 2 * median_amount:
        score.add(
            30,
            _("amount %(amount)s, at least twice the usual") % {"amount": format_baht(deal.amount)},
        )
    elif median_amount and deal.amount >= median_amount:
        score.add(
            20, _("amount %(amount)s, above the usual") % {"amount": format_baht(deal.amount)}
        )
    elif deal.amount > 0:
        score.add(10, _("amount %(amount)s") % {"amount": format_baht(deal.amount)})
    if deal.expected_close:
        days = (deal.expected_close - timezone.localdate(now)).days
        if days < 0:
            score.add(-10, _("expected close passed %(days)d days ago") % {"days": -days})
        elif days <= 14:
            score.add(15, _("closes within %(days)d days") % {"days": days})
    _engagement(score, deal.recent_contacts, deal.last_contact, now)
    stalled = (now - deal.stage_entered_at).days - STALL_AFTER_DAYS
    if stalled > 0:
        days = stalled + STALL_AFTER_DAYS
        score.add(
            -min(stalled, 25),
            _("stuck %(days)d days in %(stage)s") % {"days": days, "stage": deal.stage.label},
        )
    return score.finish()


def lead_score(lead: Any, *, now: dt.datetime) -> Score:
    """``lead`` carries the annotations of ``scored_leads``: recent_contacts, last_contact."""
    score = Score()
    customer = lead.customer
    if customer.company_id or customer.is_company:
        score.add(10, _("a company (B2B)"))
    if lead.contact_kinds >= 2:
        score.add(10, _("phone and e-mail given"))
    if lead.source in {Customer.Source.REFERRAL, Customer.Source.EVENT}:
        score.add(
            15, _("came by %(source)s") % {"source": customer.get_source_display() or lead.source}
        )
    elif lead.source:
        score.add(5, _("came by %(source)s") % {"source": lead.source})
    if lead.message:
        score.add(5, _("told us what they want"))
    age = (now - lead.created_at).days
    for limit, points in ((1, 30), (3, 20), (7, 10), (30, 5)):
        if age < limit:
            score.add(points, _("new: %(days)d days old") % {"days": age})
            break
    else:
        score.add(-10, _("waiting %(days)d days") % {"days": age})
    _engagement(score, lead.recent_contacts, lead.last_contact, now)
    return score.finish()


def _contacts(now: dt.datetime) -> dict[str, Any]:
    """Annotations: contacts with the customer in the last days (interactions logged and
    orders: a sale is a contact too), and the latest one."""
    since = now - dt.timedelta(days=ENGAGEMENT_DAYS)
    # A stage change is the app's note of a sale, counted already as the order.
    interactions = (
        Interaction.objects.filter(customer_id=OuterRef("customer_id"))
        .exclude(kind=Interaction.Kind.STAGE)
        .order_by()
    )
    orders = Order.objects.filter(customer_id=OuterRef("customer_id"), ordered_at__gte=since)
    latest_logged = Subquery(
        interactions.values("customer_id").annotate(at=Max("occurred_at")).values("at")
    )
    latest_order = purchase_totals().last_purchase_at()
    return {
        "recent_contacts": _count(interactions.filter(occurred_at__gte=since))
        + _count(orders.order_by()),
        # Greatest of the two where both are known (SQLite's is null if either is).
        "last_contact": Greatest(
            Coalesce(latest_logged, latest_order), Coalesce(latest_order, latest_logged)
        ),
    }


def _count(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.values("customer_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def scored_deals(
    user: User, *, owner: User | None = None, now: dt.datetime | None = None
) -> list[tuple[Deal, Score]]:
    """Open deals (of ``owner``, if given) best first, each with its score: three queries."""
    now = now or timezone.now()
    deals: QuerySet[Deal] = Deal.objects.visible_to(user).filter(stage__outcome=Stage.Outcome.OPEN)
    if owner is not None:
        deals = deals.filter(owner=owner)
    median = _median_open_amount(user)
    rows = deals.select_related("customer", "stage").annotate(**_contacts(now))
    # A bound on the work: a rep's open deals fit; past it, the biggest deals are kept.
    rows = rows.order_by("-amount", "-id")[:2000]
    scored = [(deal, deal_score(deal, median_amount=median, now=now)) for deal in rows]
    scored.sort(key=lambda pair: (-pair[1].total, -pair[0].amount))
    return scored


def scored_leads(
    user: User, *, owner: User | None = None, now: dt.datetime | None = None
) -> list[tuple[Lead, Score]]:
    now = now or timezone.now()
    leads: QuerySet[Lead] = Lead.objects.visible_to(user).filter(
        status__in=[Lead.Status.NEW, Lead.Status.WORKING]
    )
    if owner is not None:
        leads = leads.filter(owner=owner)
    kinds = Count(
        "customer__contact_points__kind",
        filter=Q(customer__contact_points__kind__in=["mobile", "phone", "email"]),
        distinct=True,
    )
    rows = leads.select_related("customer").annotate(contact_kinds=kinds, **_contacts(now))
    scored: list[tuple[Lead, Score]] = [
        (lead, lead_score(lead, now=now)) for lead in rows.order_by("-created_at")[:2000]
    ]
    scored.sort(key=lambda pair: (-pair[1].total, pair[0].created_at))
    return scored


def _median_open_amount(user: User) -> Decimal:
    amounts = Deal.objects.visible_to(user).filter(stage__outcome=Stage.Outcome.OPEN, amount__gt=0)
    count = amounts.count()
    if not count:
        return Decimal(0)
    middle = amounts.order_by("amount").values_list("amount", flat=True)[count // 2]
    return Decimal(middle)


def deal_score_for_page(user: User, deal: Deal) -> Score:
    """One deal's score, with the same annotations as the list."""
    now = timezone.now()
    annotated = (
        Deal.objects.filter(pk=deal.pk).select_related("stage").annotate(**_contacts(now)).get()
    )
    return deal_score(annotated, median_amount=_median_open_amount(user), now=now)
