"""Saving the programme and its earning rules: validated, audited, and versioned (a change
saves a new row; a rule's old version is closed with ``replaced_by``), so that what an
order earned under stays readable. A save that changes nothing writes nothing."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.loyalty.models import EarningRule, Programme
from samphan.loyalty.services.earning import programme_current

# In the order of the settings page's groups (views.PROGRAMME_GROUPS).
PROGRAMME_FIELDS = (
    "baht_per_point", "max_points_per_order",
    "expiry", "expiry_months", "remind_days",
    "tiers_by", "tier_window_months", "tier_review", "tier_grace_days",
    "silver_from", "gold_from", "platinum_from",
    "silver_multiplier", "gold_multiplier", "platinum_multiplier",
    "point_value",
    "referrer_points", "referred_points", "referral_min_order", "referral_hold_days",
    "referral_limit_month", "referral_review_over",
)  # fmt: skip
RULE_FIELDS = (
    "name", "multiplier", "bonus_points", "channel", "tier", "product", "category",
    "weekdays", "birthday_month", "first_purchase", "min_spend", "starts_on", "ends_on",
    "is_active",
)  # fmt: skip


def _values(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return model_to_dict(instance, fields=fields)


def _audit(
    actor: User | None, subject: Any, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    changes = {
        name: [None if before.get(name) is None else str(before[name]), str(value)]
        for name, value in after.items()
        if before.get(name) != value
    }
    action = AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE
    audit_record(actor=actor, action=action, subject=subject, changes=changes)


@transaction.atomic
def programme_save(*, actor: User | None, fields: Mapping[str, Any]) -> Programme:
    """A new version of the programme, or the one in force when nothing changed."""
    current = programme_current()
    before = _values(current, PROGRAMME_FIELDS) if current.pk else {}
    wanted = Programme(
        **{name: fields.get(name, getattr(current, name)) for name in PROGRAMME_FIELDS}
    )
    wanted.created_by = actor if getattr(actor, "pk", None) else None
    wanted.full_clean(exclude=["created_by"])
    if not wanted.silver_from < wanted.gold_from < wanted.platinum_from:
        raise ValidationError(
            {
                "gold_from": _(
                    "Each tier starts above the one below: Silver, then Gold, then Platinum."
                )
            }
        )
    after = _values(wanted, PROGRAMME_FIELDS)
    if current.pk and after == before:
        return current
    wanted.save()
    _audit(actor, wanted, before, after)
    return wanted


def _rule_checked(rule: EarningRule) -> None:
    errors: dict[str, str] = {}
    if rule.multiplier is not None and rule.multiplier <= 1 and not rule.bonus_points:
        errors["multiplier"] = _(
            "Give a multiplier above 1 or bonus points: this rule changes nothing."
        )
    if rule.product_id and rule.category_id:
        errors["category"] = _("Choose a product or a category, not both.")
    if rule.starts_on and rule.ends_on and rule.ends_on < rule.starts_on:
        errors["ends_on"] = _("The last day comes before the first.")
    if not 0 <= rule.weekdays < 128:
        errors["weekdays"] = _("Choose days of the week.")
    try:
        rule.full_clean(exclude=["replaced_by", "created_by"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_save(
    *, actor: User | None, rule: EarningRule | None, fields: Mapping[str, Any]
) -> EarningRule:
    """A new rule, or a new version of ``rule`` (which is closed); ``rule`` itself when
    nothing changed. Only the version in force may be changed."""
    if rule is not None:
        rule = EarningRule.objects.select_for_update().get(pk=rule.pk)
        if rule.replaced_by_id:
            raise ValidationError(
                {"name": _("This rule was changed since: open its newest version.")}
            )
    before = _values(rule, RULE_FIELDS) if rule else {}
    wanted = EarningRule(**{name: getattr(rule, name) for name in RULE_FIELDS} if rule else {})
    for name in RULE_FIELDS:
        if name in fields:
            setattr(wanted, name, fields[name])
    wanted.name = (wanted.name or "").strip()
    _rule_checked(wanted)
    after = _values(wanted, RULE_FIELDS)
    if rule and after == before:
        return rule
    wanted.created_by = actor if getattr(actor, "pk", None) else None
    wanted.save()
    if rule:
        rule.replaced_by = wanted
        rule.save(update_fields=["replaced_by"])
    _audit(actor, wanted, before, after)
    return wanted
