"""Sending a campaign, in the worker: the draw, the queueing a chunk a transaction, and
marking it sent (the steps are described in the package's docstring); and a test send."""

import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import ConsentRecord, Customer, CustomerQuerySet
from samphan.loyalty import services as loyalty
from samphan.marketing.campaigns.messages import (
    filled_elsewhere,
    message_for,
    says,
    values_for,
)
from samphan.marketing.campaigns.tracking import html_of, tracker
from samphan.marketing.models import Campaign, Recipient, Variant
from samphan.marketing.queries import segment_filter
from samphan.messaging.consent import routes_for
from samphan.messaging.models import Channel, Message, message_key
from samphan.messaging.outbox import Draft, message_queue, messages_queue_many

MARKETING = ConsentRecord.Purpose.MARKETING
QUEUE_CHUNK = 1_000


def campaigns_run() -> int:
    """The worker's loop: start campaigns that are due, queue what is left of those being
    sent, mark sent those whose messages have all left. How many messages were queued."""
    now = timezone.now()
    for campaign_id in Campaign.objects.filter(
        status=Campaign.Status.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        draw(campaign_id)
    queued = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.SENDING):
        queued += queue_pending(campaign)
        _finish_if_done(campaign)
    return queued


def audience(campaign: Campaign) -> CustomerQuerySet:
    """The segment's active customers the campaign's author may see, but never one whose
    processing is restricted (PDPA ss.32, 34)."""
    customers = Customer.objects.active()
    if campaign.created_by is not None:
        customers = Customer.objects.visible_to(campaign.created_by).active()
    return customers.processing_allowed().filter(segment_filter(campaign.segment))


def draw(campaign_id: int) -> int:
    """Step 1: claim a due campaign and split its audience; how many recipients."""
    with transaction.atomic():
        claimed = Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SCHEDULED).update(
            status=Campaign.Status.SENDING, started_at=timezone.now()
        )
        if not claimed:  # another worker took it
            return 0
        campaign = Campaign.objects.select_related("segment", "created_by").get(pk=campaign_id)
        ids = sorted(audience(campaign).values_list("pk", flat=True))
        variants = list(campaign.variants.all())
        groups = split(ids, variants, campaign.holdout_percent, campaign.seed)
        Recipient.objects.bulk_create(
            (Recipient(campaign=campaign, customer_id=pk, variant=variant)
             for pk, variant in groups),
            batch_size=2_000,
        )  # fmt: skip
        Campaign.objects.filter(pk=campaign_id).update(recipients_count=len(ids))
    return len(ids)


def split(
    ids: list[int], variants: list[Variant], holdout_percent: int, seed: int
) -> list[tuple[int, Variant | None]]:
    """Each customer drawn at random (the campaign's seed: the same split every time) into
    the hold-out group (None) or a variant, by the variants' shares."""
    rng = random.Random(seed)  # noqa: S311 - a split, not a secret
    shuffled = list(ids)
    rng.shuffle(shuffled)
    held = round(len(shuffled) * holdout_percent / 100)
    groups: list[tuple[int, Variant | None]] = [(pk, None) for pk in shuffled[:held]]
    rest = shuffled[held:]
    total = sum(variant.share for variant in variants)
    start = 0
    for index, variant in enumerate(variants):
        end = (
            len(rest)
            if index == len(variants) - 1
            else start + round(len(rest) * variant.share / total)
        )
        groups += [(pk, variant) for pk in rest[start:end]]
        start = end
    return groups


def queue_pending(campaign: Campaign, *, limit: int | None = None) -> int:
    """Step 2: queue the messages of recipients who have none yet, a chunk a transaction."""
    queued = 0
    while limit is None or queued < limit:
        with transaction.atomic():
            if Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).count() == 0:
                break  # cancelled meanwhile
            pending = list(
                Recipient.objects.filter(
                    campaign=campaign, variant__isnull=False, message__isnull=True, skipped=""
                )
                .select_related("customer", "variant")
                .order_by("pk")[:QUEUE_CHUNK]
            )
            if not pending:
                break
            queued += _queue(campaign, pending)
    return queued


def _queue(campaign: Campaign, recipients: list[Recipient]) -> int:
    channel = None if campaign.channel == Campaign.PREFERRED else campaign.channel
    routes = routes_for([recipient.customer_id for recipient in recipients], MARKETING, channel)
    drafts: list[Draft] = []
    keys: dict[int, str] = {}
    skipped: list[Recipient] = []
    variants = {r.variant.pk: r.variant for r in recipients if r.variant is not None}
    with_product = {pk: says(variant, "product") for pk, variant in variants.items()}
    with_points = any(says(variant, "points") for variant in variants.values())
    points = loyalty.balances([r.customer_id for r in recipients]) if with_points else {}
    for recipient in recipients:
        route = routes[recipient.customer_id]
        if not route:
            recipient.skipped = route.reason[:300] or _("No channel may be used.")
            skipped.append(recipient)
            continue
        variant = recipient.variant
        if variant is None:  # held out: never pending (the query asks for a variant)
            continue
        values = values_for(recipient.customer, with_product=with_product[variant.pk],
                            points=points.get(recipient.customer_id))  # fmt: skip
        values |= filled_elsewhere(variant, campaign.pk, recipient.customer_id)
        # Only the links written in the template are tracked, and recorded for the clicks.
        swap, recipient.links = tracker(recipient.pk)
        subject, text = message_for(recipient.customer, variant, values, swap)
        is_email = route.channel == Channel.EMAIL
        key = f"campaign:{campaign.pk}:{recipient.customer_id}"
        keys[recipient.pk] = key
        drafts.append(Draft(recipient.customer_id, route.channel, MARKETING, route.to, text, key,
                            subject=subject if is_email else "",
                            html=html_of(text, recipient.pk) if is_email else ""))  # fmt: skip
    created = messages_queue_many(drafts, actor=campaign.created_by)
    by_key = dict(
        Message.objects.filter(key__in=[message_key(key) for key in keys.values()]).values_list(
            "key", "pk"
        )
    )
    linked = []
    for recipient in recipients:
        if recipient.pk in keys:
            recipient.message_id = by_key[message_key(keys[recipient.pk])]
            linked.append(recipient)
    Recipient.objects.bulk_update(linked, ["message", "links"], batch_size=1_000)
    Recipient.objects.bulk_update(skipped, ["skipped"], batch_size=1_000)
    return created


def _finish_if_done(campaign: Campaign) -> None:
    waiting = Recipient.objects.filter(campaign=campaign).filter(
        Q(variant__isnull=False, message__isnull=True, skipped="")
        | Q(message__status=Message.Status.QUEUED)
    )
    if not waiting.exists():
        Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT
        )


def test_send(
    *, actor: User | None, campaign: Campaign, variant: Variant, customer: Customer
) -> Message:
    """The variant as ``customer`` would get it, to that customer, marked as a test and
    counted nowhere (a service message: staff send it to themselves)."""
    channel = None if campaign.channel == Campaign.PREFERRED else campaign.channel
    route = routes_for([customer.pk], ConsentRecord.Purpose.SERVICE, channel)[customer.pk]
    if not route:
        raise ValidationError({"customer": route.reason})
    values = values_for(customer, with_product=True, points=loyalty.balance_of(customer.pk))
    values |= filled_elsewhere(variant, campaign.pk, None)  # a test makes no survey
    subject, text = message_for(customer, variant, values)
    return message_queue(
        customer=customer,
        channel=route.channel,
        purpose=ConsentRecord.Purpose.SERVICE,
        to=route.to,
        subject=f"{_('[TEST]')} {subject}" if route.channel == Channel.EMAIL else "",
        text=text,
        idempotency_key=f"campaign-test:{campaign.pk}:{variant.pk}:{secrets.token_hex(8)}",
        actor=actor,
    )
