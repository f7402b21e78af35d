"""The alert rules: which arrivals are announced, and to whom; each change audited."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.frontdesk.models import AlertRule

RULE_FIELDS = ("name", "kind", "tier", "tag", "top", "audience", "team", "is_active")
# What a fresh install announces: editable and deletable like any rule.
DEFAULT_RULES = [
    (gettext_noop("VIP arrives"), AlertRule.Kind.VIP),
    (gettext_noop("Birthday today"), AlertRule.Kind.BIRTHDAY),
]


def _rule_fields_apply(rule: AlertRule, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.full_clean()


@transaction.atomic
def alert_rule_create(*, actor: User | None, fields: Mapping[str, Any]) -> AlertRule:
    """A new rule (``fields`` by model field name; ``tag`` and ``team`` as objects);
    ``ValidationError`` naming the field when it is incomplete."""
    rule = AlertRule()
    _rule_fields_apply(rule, fields)
    rule.save()
    changes = diff({}, snapshot(rule, RULE_FIELDS))
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, subject=rule, changes=changes)
    return rule


@transaction.atomic
def alert_rule_update(
    *, actor: User | None, rule: AlertRule, fields: Mapping[str, Any]
) -> AlertRule:
    """Change the fields given; an audit row only when something changed."""
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    _rule_fields_apply(rule, fields)
    rule.save()
    changes = diff(before, snapshot(rule, RULE_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, subject=rule, changes=changes)
    return rule


@transaction.atomic
def alert_rule_delete(*, actor: User | None, rule: AlertRule) -> None:
    """The alerts it raised stay (they keep the rule's name as their reason)."""
    changes = {name: [value, None] for name, value in snapshot(rule, RULE_FIELDS).items()}
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, subject=rule, changes=changes)
    rule.delete()


@transaction.atomic
def alert_rules_default_create(*, actor: User | None = None) -> list[AlertRule]:
    """The default rules (a VIP arrives, a birthday today; all staff told), once in the
    life of a database: only when it has no rule and no rule was ever made (no audit row
    of one), so a second set-up creates nothing and rules an admin deleted stay deleted.
    Named in the site's language."""
    ever = AuditEvent.objects.filter(subject_type=AlertRule._meta.label_lower)
    if AlertRule.objects.exists() or ever.exists():
        return []
    with translation.override(settings.LANGUAGE_CODE):
        return [
            alert_rule_create(
                actor=actor,
                fields={"name": _(name), "kind": kind, "audience": AlertRule.Audience.EVERYONE},
            )
            for name, kind in DEFAULT_RULES
        ]
