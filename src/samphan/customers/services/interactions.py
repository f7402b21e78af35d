"""The timeline: interactions logged, corrected and removed, each audited."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Interaction
from samphan.customers.signals import history_changed, visit_logged

INTERACTION_FIELDS = ("kind", "occurred_at", "user", "channel", "summary", "body")
INTERACTION_EDITABLE = ("kind", "occurred_at", "channel", "summary", "body")


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time without a zone is read in the current time zone (Asia/Bangkok by default)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@transaction.atomic
def interaction_log(
    *,
    actor: User | None,
    customer: Customer,
    kind: str,
    summary: str,
    body: str = "",
    channel: str = "",
    occurred_at: dt.datetime | None = None,
) -> Interaction:
    interaction = Interaction(
        customer=customer,
        kind=kind,
        summary=(summary or "").strip(),
        body=body or "",
        channel=channel or "",
        occurred_at=_aware(occurred_at) if occurred_at else timezone.now(),
        user=actor if getattr(actor, "pk", None) else None,
    )
    interaction.full_clean(exclude=["customer", "user"])
    interaction.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=interaction,
        customer_id=customer.pk,
        changes=diff({}, snapshot(interaction, INTERACTION_FIELDS)),
    )
    if interaction.kind == Interaction.Kind.VISIT:
        visit_logged.send(Interaction, customer_id=customer.pk, occurred_at=interaction.occurred_at)
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: User | None, interaction: Interaction, fields: Mapping[str, Any]
) -> Interaction:
    """Correct a timeline entry; who logged it and for whom stay as they were."""
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    before = snapshot(interaction, INTERACTION_FIELDS)
    was_at = interaction.occurred_at
    for name, value in fields.items():
        if name not in INTERACTION_EDITABLE:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(interaction, name, value)
    interaction.summary = (interaction.summary or "").strip()
    interaction.body = interaction.body or ""
    interaction.channel = interaction.channel or ""
    if interaction.occurred_at is not None:
        interaction.occurred_at = _aware(interaction.occurred_at)
    interaction.full_clean(exclude=["customer", "user"])
    interaction.save()
    changes = diff(before, snapshot(interaction, INTERACTION_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=interaction,
            customer_id=interaction.customer_id,
            changes=changes,
        )
        if Interaction.Kind.VISIT in (before["kind"], interaction.kind):
            history_changed.send(
                Interaction,
                customer_ids=[interaction.customer_id],
                moments=[was_at, interaction.occurred_at],
            )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User | None, interaction: Interaction) -> None:
    """Remove a timeline entry logged in error; the audit row keeps what it said.

    A hard delete, not an archive flag: an entry made by mistake (the wrong customer,
    a duplicate) should leave the timeline and every count built on it, and the audit
    log is where its trace belongs.
    """
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=interaction,
        customer_id=interaction.customer_id,
        changes=diff(snapshot(interaction, INTERACTION_FIELDS), dict.fromkeys(INTERACTION_FIELDS)),
    )
    interaction.delete()
    if interaction.kind == Interaction.Kind.VISIT:
        history_changed.send(
            Interaction, customer_ids=[interaction.customer_id], moments=[interaction.occurred_at]
        )
