"""Deals: create, change, move between stages (with history), close as won or lost."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.core.money import to_baht
from samphan.sales.models import ZERO, Deal, DealLine, DealStageChange, Pipeline, Stage
from samphan.sales.services.order_lines import LineInput, build_lines

DEAL_FIELDS = (
    "title",
    "customer",
    "amount",
    "expected_close",
    "owner",
    "team",
    "source",
    "notes",
)


class StaleStageError(ValidationError):
    """The deal moved since the caller looked: their drag would undo someone else's move."""


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        raise ValidationError({"pipeline": _("Create a pipeline first.")})
    return pipeline


def _apply(deal: Deal, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in DEAL_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(deal, name, value.strip() if isinstance(value, str) else value)
    if deal.customer_id is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    if deal.customer.is_archived:
        raise ValidationError({"customer": _("This customer is archived.")})


def _deal_lines(lines: Sequence[LineInput]) -> list[DealLine]:
    """Deal lines priced and checked like order lines (same messages, same field names)."""
    return [
        DealLine(
            product_id=line.product.id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
        )
        for line in build_lines(lines)
    ]


def _line_values(lines: Iterable[DealLine]) -> list[tuple[Any, ...]]:
    return [(line.product_id, line.quantity, line.unit_price, line.discount) for line in lines]


def _set_lines(deal: Deal, lines: Sequence[LineInput] | None) -> bool:
    """The deal's products replaced by ``lines`` (None: left alone); True if they changed."""
    if lines is None:
        return False
    built = _deal_lines(lines) if lines else []
    changed = _line_values(built) != _line_values(deal.lines.all())
    if changed:
        deal.lines.all().delete()
        for line in built:
            line.deal = deal
        DealLine.objects.bulk_create(built)
    amount = to_baht(sum((line.amount for line in built), ZERO))
    if built and amount != deal.amount:
        # With products on the deal, its amount is theirs (VAT as the prices state it).
        deal.amount = amount
        Deal.objects.filter(pk=deal.pk).update(amount=amount)
    return changed


@transaction.atomic
def deal_create(
    *,
    actor: User | None,
    fields: Mapping[str, Any],
    stage: Stage | None = None,
    lines: Sequence[LineInput] | None = None,
    at: dt.datetime | None = None,
) -> Deal:
    stage = stage or default_pipeline().stages.order_by("position").first()
    if stage is None:
        raise ValidationError({"stage": _("This pipeline has no stages.")})
    now = at or timezone.now()
    deal = Deal(pipeline_id=stage.pipeline_id, stage=stage, stage_entered_at=now)
    _apply(deal, fields)
    if deal.owner_id is None and getattr(actor, "pk", None):
        deal.owner = actor
    if deal.team_id is None and deal.owner is not None:
        deal.team_id = deal.owner.team_id
    if not stage.is_open:
        deal.closed_at = now
    deal.full_clean(exclude=["customer", "owner", "team", "pipeline", "stage"])
    deal.save()
    _set_lines(deal, lines)
    DealStageChange.objects.create(deal=deal, to_stage=stage, at=now, by=_user(actor))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=deal,
        customer_id=deal.customer_id,
        changes=diff({}, snapshot(deal, (*DEAL_FIELDS, "stage"))),
    )
    return deal


@transaction.atomic
def deal_update(
    *,
    actor: User | None,
    deal: Deal,
    fields: Mapping[str, Any],
    lines: Sequence[LineInput] | None = None,
) -> Deal:
    before = snapshot(deal, DEAL_FIELDS)
    _apply(deal, fields)
    deal.full_clean(exclude=["customer", "owner", "team", "pipeline", "stage"])
    lines_changed = _set_lines(deal, lines)
    changes = diff(before, snapshot(deal, DEAL_FIELDS))
    if changes or lines_changed:  # not when nothing changed: "last updated" stays true
        deal.save()
    if changes or lines_changed:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            subject=deal,
            customer_id=deal.customer_id,
            changes=changes,
        )
    return deal


@transaction.atomic
def deal_move(
    *,
    actor: User | None,
    deal: Deal,
    stage: Stage,
    expected_stage_id: int | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Deal:
    """Move a deal to ``stage`` of its pipeline and record the step.

    ``expected_stage_id`` is the stage the caller saw: when the deal has moved since (a
    colleague dragged it), the move is refused with ``StaleStageError`` rather than undo theirs.
    A lost deal needs a reason.
    """
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_stage_id is not None and deal.stage_id != expected_stage_id:
        raise StaleStageError(
            {"stage": _("Someone moved this deal meanwhile; reload to see where it is now.")}
        )
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": _("Choose a stage of this deal's pipeline.")})
    reason = (reason or "").strip()
    if stage.outcome == Stage.Outcome.LOST and not (reason or deal.close_reason):
        raise ValidationError({"reason": _("Say why the deal was lost.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    if stage.pk == deal.stage_id:
        return deal
    now = at or timezone.now()
    previous = deal.stage_id
    DealStageChange.objects.create(
        deal=deal, from_stage_id=previous, to_stage=stage, at=now, by=_user(actor)
    )
    deal.stage = stage
    deal.stage_entered_at = now
    deal.closed_at = None if stage.is_open else now
    if reason:
        deal.close_reason = reason
    deal.save(
        update_fields=["stage", "stage_entered_at", "closed_at", "close_reason", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=deal,
        customer_id=deal.customer_id,
        changes={"stage": [previous, stage.pk], **({"reason": [None, reason]} if reason else {})},
    )
    return deal


def stage_durations(deal: Deal, changes: Sequence[DealStageChange]) -> list[tuple[Any, Any]]:
    """(stage change, time spent in its stage) for a deal's history, oldest first."""
    ends = [change.at for change in changes[1:]] + [deal.closed_at or timezone.now()]
    return [(change, end - change.at) for change, end in zip(changes, ends, strict=True)]


def weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(Decimal("0.01"))


def _user(actor: User | None) -> Any:
    return actor if getattr(actor, "pk", None) else None
