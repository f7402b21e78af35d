"""Demo quotations, made through the services (numbers, totals, audit, orders on
acceptance) for the deals that reached the Quoted stage. One by one, so only for small
loads (``loader.QUOTES_UP_TO``)."""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Prefetch

from samphan.core.money import to_baht
from samphan.sales import services
from samphan.sales.models import Deal, DealStageChange, Quote, Stage
from samphan.sales.quote_pdf import quote_pdf

MAX_QUOTES = 300
MAX_SENT_PDFS = 10  # each PDF takes WeasyPrint a fraction of a second
QUOTED_POSITION = 2  # Interested, Presented, Quoted … in the default pipeline


def demo_quotes(*, first_customer_id: int, seed: int) -> int:
    """Quotations for the loaded deals that reached Quoted: earlier revisions rejected, the
    latest a draft or sent (Quoted, Negotiation), accepted for some in Negotiation (the
    order is made and the deal won), rejected for lost deals."""
    rng = random.Random(f"{seed}-quotes")
    made = 0
    pdfs = [MAX_SENT_PDFS]
    for deal in _quoted_deals(first_customer_id):
        if made >= MAX_QUOTES:
            break
        made += _history(deal, rng, pdfs)
    services.quotes_expire()
    return made


def _quoted_deals(first_customer_id: int) -> list[Deal]:
    changes = DealStageChange.objects.select_related("to_stage").order_by("at")
    deals = (
        Deal.objects.filter(customer_id__gte=first_customer_id, pipeline__is_default=True)
        .exclude(stage__outcome=Stage.Outcome.WON)
        .select_related("stage", "customer", "owner")
        .prefetch_related("lines", Prefetch("stage_changes", queryset=changes))
        .order_by("id")
    )
    return [
        deal
        for deal in deals
        if any(change.to_stage.position >= QUOTED_POSITION for change in deal.stage_changes.all())
        and deal.lines.all()
    ]


def _history(deal: Deal, rng: random.Random, pdfs: list[int]) -> int:
    company = deal.customer.is_company
    revisions = rng.choice([1, 2, 2, 3, 4] if company else [1, 1, 2])
    quoted_on = next(
        change.at for change in deal.stage_changes.all() if change.to_stage.position >= 2
    ).date()
    for revision in range(revisions):
        discount = Decimal(revision * rng.choice([2, 3, 5])) / 100 if company else Decimal(0)
        quote = services.quote_create(
            actor=deal.owner,
            deal=deal,
            discount=to_baht(deal.amount / Decimal("1.07") * discount).quantize(Decimal("1")),
        )
        issued = quoted_on + dt.timedelta(days=revision * rng.randint(3, 10))
        last = revision == revisions - 1
        _finish(deal, quote, last=last, rng=rng, pdfs=pdfs, issued=issued)
    return revisions


def _finish(
    deal: Deal, quote: Quote, *, last: bool, rng: random.Random, pdfs: list[int], issued: dt.date
) -> None:
    actor = deal.owner
    outcome = deal.stage.outcome
    if not last or outcome == Stage.Outcome.LOST:
        _date(quote, issued)
        services.quote_reject(actor=actor, quote=quote)
    elif (
        deal.stage.position > QUOTED_POSITION
        and rng.random() < 0.3
        # Winning it must not empty its stage: the demo shows deals in every stage.
        and Deal.objects.filter(stage=deal.stage).count() > 1
    ):
        services.quote_accept(actor=actor, quote=quote)  # today: the order and the win
    elif rng.random() < 0.7 and pdfs[0] > 0:
        pdfs[0] -= 1
        services.quote_mark_sent(actor=actor, quote=quote, pdf=quote_pdf(quote))
        _date(quote, issued)
    else:
        _date(quote, issued)


def _date(quote: Quote, issued: dt.date) -> None:
    """The services date a quotation today; the demo's history needs it on the day the
    deal reached the stage (``quotes_expire`` then expires those sent long ago)."""
    validity = quote.valid_until - quote.issued_on
    Quote.objects.filter(pk=quote.pk).update(issued_on=issued, valid_until=issued + validity)
