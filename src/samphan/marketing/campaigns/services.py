"""Campaign writes: saving a draft and its variants (every error named by its field),
scheduling it, cancelling it."""

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.marketing.campaigns.messages import VARIABLE, known_variables
from samphan.marketing.models import Campaign, Segment, Variant
from samphan.messaging.models import Channel

LABELS = "ABCDE"


def campaign_save(
    *,
    actor: User | None,
    campaign: Campaign | None,
    fields: dict[str, Any],
    variants: list[dict[str, Any]],
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
            unknown = sorted(set(VARIABLE.findall(variant.get(name, ""))) - set(known_variables()))
            if unknown:
                errors[f"{where}.{name}"] = [
                    _("Unknown: %(names)s. You may use %(known)s.")
                    % {
                        "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                        "known": ", ".join(f"{{{{ {name} }}}}" for name in known_variables()),
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
