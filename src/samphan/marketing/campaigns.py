"""Campaigns: saving one (checked first), scheduling it, and sending it.

Sending happens in the worker (``campaigns_run``, every few seconds) in steps that each
commit, so a crash at any point resumes where it stopped and sends nothing twice:

1. the draw: the audience (the segment's active customers, as the campaign's author sees
   them) is split at random, with a seed recorded on the campaign, into a hold-out group
   and the variants by their shares; one ``Recipient`` row each, in one transaction;
2. the queueing, a thousand recipients a transaction: each gets the channel their consent
   allows (or why none), their variant rendered for them in Thai or English, with links
   tracked, and one outbox message whose idempotency key is the campaign's and theirs;
3. the outbox sends the messages (consent checked again at hand-off); the campaign is
   *sent* once none of its messages waits.
"""

import datetime as dt
import random
import re
import secrets
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from samphan.core.shop import shop_profile
from samphan.customers.greetings import greeting_for
from samphan.customers.models import ConsentRecord, Customer
from samphan.loyalty import services as loyalty
from samphan.marketing.models import Campaign, Recipient, Segment, Variant
from samphan.marketing.queries import segment_filter
from samphan.messaging.consent import routes_for
from samphan.messaging.models import Channel, Message, message_key
from samphan.messaging.outbox import Draft, message_queue, messages_queue_many
from samphan.sales.queries import customer_suggestions

MARKETING = ConsentRecord.Purpose.MARKETING
LABELS = "ABCDE"
QUEUE_CHUNK = 1_000
VARIABLE = re.compile(r"{{\s*([a-z_]+)\s*}}")
# What a template may say of its recipient.
VARIABLES = (
    "greeting", "nickname", "first_name", "name", "tier", "points", "member_number", "product",
)  # fmt: skip
URL = re.compile(r"https?://[^\s<>\"')]+")


# -- Saving --------------------------------------------------------------------------------------


def campaign_save(
    *, actor: Any, campaign: Campaign | None, fields: dict[str, Any], variants: list[dict[str, Any]]
) -> Campaign:
    """Create or change a draft (or scheduled) campaign and its variants, all or nothing;
    ``ValidationError`` naming the field (``variants.1.text_th``) when something is wrong."""
    if campaign is not None and not campaign.is_editable:
        raise ValidationError({"status": _("A campaign that has started cannot be changed.")})
    campaign = campaign or Campaign(
        created_by=actor if getattr(actor, "pk", None) else None, seed=secrets.randbelow(2**31)
    )
    errors: dict[str, Any] = {}
    for name in ("name", "segment_id", "channel", "holdout_percent", "conversion_days",
                 "baseline_percent", "effect_points"):  # fmt: skip
        if name in fields:
            setattr(campaign, name, fields[name])
    try:
        campaign.full_clean(exclude=["segment", "created_by", "seed"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if not Segment.objects.filter(pk=campaign.segment_id or 0).exists():
        errors["segment"] = [_("Choose an audience segment.")]
    rates_valid = "baseline_percent" not in errors and "effect_points" not in errors
    if rates_valid and campaign.baseline_percent + campaign.effect_points >= 100:
        errors["effect_points"] = [_("The usual rate plus the effect must stay below 100.")]
    errors.update(_variant_errors(campaign.channel, variants))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign.save()
        campaign.variants.all().delete()
        Variant.objects.bulk_create(
            Variant(campaign=campaign, label=LABELS[index], **_variant_fields(variant))
            for index, variant in enumerate(variants)
        )
    return campaign


def _variant_fields(variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "share": int(variant.get("share") or 0),
        "subject_th": (variant.get("subject_th") or "").strip(),
        "text_th": (variant.get("text_th") or "").strip(),
        "subject_en": (variant.get("subject_en") or "").strip(),
        "text_en": (variant.get("text_en") or "").strip(),
    }


def _variant_errors(channel: str, variants: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not 1 <= len(variants) <= len(LABELS):
        return {"variants": [_("One to five variants.")]}
    may_email = channel in (Campaign.PREFERRED, Channel.EMAIL)
    for index, raw in enumerate(variants):
        variant = _variant_fields(raw) if isinstance(raw, dict) else {}
        where = f"variants.{index}"
        try:
            share = int(raw.get("share") or 0) if isinstance(raw, dict) else 0
        except (TypeError, ValueError):
            share = 0
        if not 1 <= share <= 100:
            errors[f"{where}.share"] = [_("A share from 1 to 100.")]
        if not variant.get("text_th"):
            errors[f"{where}.text_th"] = [_("Write the message in Thai.")]
        if may_email and not variant.get("subject_th"):
            errors[f"{where}.subject_th"] = [_("An e-mail needs a subject.")]
        if may_email and variant.get("text_en") and not variant.get("subject_en"):
            errors[f"{where}.subject_en"] = [_("An e-mail needs a subject.")]
        for name in ("subject_th", "text_th", "subject_en", "text_en"):
            unknown = sorted(set(VARIABLE.findall(variant.get(name, ""))) - set(VARIABLES))
            if unknown:
                errors[f"{where}.{name}"] = [
                    _("Unknown: %(names)s. You may use %(known)s.")
                    % {
                        "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                        "known": ", ".join(f"{{{{ {name} }}}}" for name in VARIABLES),
                    }
                ]
        limits = {"subject_th": 200, "subject_en": 200, "text_th": 5000, "text_en": 5000}
        for name, limit in limits.items():
            if len(variant.get(name, "")) > limit:
                errors[f"{where}.{name}"] = [_("At most %(n)d characters.") % {"n": limit}]
    return errors


def campaign_schedule(*, campaign: Campaign, at: dt.datetime | None = None) -> Campaign:
    """Send at ``at`` (now when None): the worker starts it then."""
    if not campaign.is_editable:
        raise ValidationError({"status": _("This campaign has started already.")})
    if not campaign.variants.exists():
        raise ValidationError({"variants": _("Write at least one variant first.")})
    campaign.status, campaign.scheduled_at = Campaign.Status.SCHEDULED, at or timezone.now()
    campaign.save(update_fields=["status", "scheduled_at"])
    return campaign


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Stop a campaign that has not finished: what is queued still goes (the outbox owns
    it), nothing more is queued."""
    if campaign.status in (Campaign.Status.SENT, Campaign.Status.CANCELLED):
        raise ValidationError({"status": _("This campaign has finished.")})
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
    campaign.status = Campaign.Status.CANCELLED
    return campaign


# -- Personalising -------------------------------------------------------------------------------


def render(template: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda match: values.get(match.group(1), ""), template)


def says(variant: Variant, name: str) -> bool:
    """Whether the variant uses the variable (the product and the points cost queries:
    only when it does)."""
    templates = (variant.subject_th, variant.text_th, variant.subject_en, variant.text_en)
    return name in VARIABLE.findall("".join(templates))


def values_for(
    customer: Customer, *, with_product: bool, points: int | None = None
) -> dict[str, str]:
    """What the variables say for this customer; ``points`` as given (a campaign reads a
    chunk's balances at once), else "" (the template does not use it)."""
    product = ""
    if with_product:
        found = customer_suggestions(customer.pk, limit=1)
        product = found[0].product.name if found else ""
    return {
        # A company has neither: its name, so that "คุณ{{ nickname }}" still greets someone.
        "nickname": customer.nickname
        or customer.first_name
        or customer.first_name_en
        or customer.display_name,
        "first_name": customer.first_name or customer.first_name_en or customer.display_name,
        "name": customer.display_name,
        "tier": str(customer.get_tier_display()),
        "points": "" if points is None else f"{points:,}",
        "member_number": customer.member_number or "",
        "product": product,
    }


def in_english(customer: Customer, variant: Variant) -> bool:
    """English when the variant has it and the customer has only a Latin name."""
    thai_name = customer.first_name or customer.last_name or customer.company_name
    latin_name = customer.first_name_en or customer.last_name_en or customer.company_name_en
    return bool(variant.text_en) and not thai_name and bool(latin_name)


def message_for(customer: Customer, variant: Variant, values: dict[str, str]) -> tuple[str, str]:
    english = in_english(customer, variant)
    subject = variant.subject_en if english else variant.subject_th
    text = variant.text_en if english else variant.text_th
    if "greeting" in subject or "greeting" in text:
        # In the message's language: "คุณแอน" in Thai, "Ms Smith" in English.
        values = {**values, "greeting": greeting_for(customer, "en" if english else "th")}
    return render(subject, values), render(text, values)


# -- Tracking ------------------------------------------------------------------------------------

_tracking = signing.Signer(salt="samphan.marketing.tracking")


def tracking_token(recipient_id: int) -> str:
    return _tracking.sign(str(recipient_id))


def recipient_of(token: str) -> int | None:
    try:
        return int(_tracking.unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def tracked(text: str, recipient_id: int) -> tuple[str, list[str]]:
    """The text with each link replaced by a tracked one that leads to it."""
    links: list[str] = []
    token = tracking_token(recipient_id)
    public_url = shop_profile().public_url

    def swap(match: re.Match[str]) -> str:
        links.append(match.group(0))
        path = reverse("campaign_click", args=[token, len(links) - 1])
        return public_url + path

    return URL.sub(swap, text), links


def html_of(text: str, recipient_id: int) -> str:
    """The HTML part of an e-mail: the text in paragraphs, links clickable, and a pixel that
    says the message was opened (when the mail app loads images)."""
    body = linebreaks(escape(text))
    body = URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', body)
    pixel = shop_profile().public_url + reverse(
        "campaign_open", args=[tracking_token(recipient_id)]
    )
    return f'<div lang="th">{body}</div><img src="{pixel}" width="1" height="1" alt="">'


def link_of(recipient: Recipient, index: int) -> str | None:
    """The ``index``th link of the message this recipient was sent, as rendered for them
    (the link a tracked one stands for), or None."""
    if recipient.variant is None:
        return None
    _subject, text = message_for(
        recipient.customer, recipient.variant, values_for(recipient.customer, with_product=False)
    )
    links = URL.findall(text)
    return links[index] if 0 <= index < len(links) else None


# -- Sending -------------------------------------------------------------------------------------


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


def audience(campaign: Campaign) -> Any:
    customers = Customer.objects.active()
    if campaign.created_by is not None:
        customers = Customer.objects.visible_to(campaign.created_by).active()
    return customers.filter(segment_filter(campaign.segment))


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
        balance = points.get(recipient.customer_id)
        values = values_for(recipient.customer, with_product=with_product[variant.pk],
                            points=balance.points if balance else None)  # fmt: skip
        subject, text = message_for(recipient.customer, variant, values)
        text, _links = tracked(text, recipient.pk)
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
    Recipient.objects.bulk_update(linked, ["message"], batch_size=1_000)
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


def test_send(*, actor: Any, campaign: Campaign, variant: Variant, customer: Customer) -> Message:
    """The variant as ``customer`` would get it, to that customer, marked as a test and
    counted nowhere (a service message: staff send it to themselves)."""
    channel = None if campaign.channel == Campaign.PREFERRED else campaign.channel
    route = routes_for([customer.pk], ConsentRecord.Purpose.SERVICE, channel)[customer.pk]
    if not route:
        raise ValidationError({"customer": route.reason})
    values = values_for(customer, with_product=True, points=loyalty.balance_of(customer.pk).points)
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


def preview_for(campaign: Campaign, customer: Customer) -> list[dict[str, Any]]:
    """Each variant as this customer would read it."""
    values = values_for(customer, with_product=True, points=loyalty.balance_of(customer.pk).points)
    shown = []
    for variant in campaign.variants.all():
        subject, text = message_for(customer, variant, values)
        shown.append({"variant": variant, "subject": subject, "text": text,
                      "english": in_english(customer, variant)})  # fmt: skip
    return shown
