"""Every write to support's settings (business hours, closed days, SLA policies,
categories, tags, canned replies, assignment rules, survey settings): one transaction,
validated by the model, audited; a save that changes nothing writes nothing.

Tickets keep the due times they were given: a changed policy or schedule counts for
tickets opened (and clocks restarted) after it."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.support.models import (
    WEEKDAYS,
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Schedule,
    SlaPolicy,
    SurveySettings,
    TicketTag,
)

# What staff may set on each kind of setting (an assignment rule's last assignee is the
# rota's own).
FIELDS: dict[type[models.Model], list[str]] = {
    Schedule: [
        "name", "team", "public_holidays",
        *(f"{day}_{end}" for day in WEEKDAYS for end in ("opens", "closes")),
    ],
    ClosedDay: ["date", "name", "schedule"],
    SlaPolicy: [
        "priority", "tier", "first_response_minutes", "next_response_minutes",
        "resolution_minutes",
    ],
    Category: ["name", "name_en"],
    TicketTag: ["name"],
    CannedReply: ["title", "language", "body"],
    AssignmentRule: ["team", "mode"],
    SurveySettings: [
        "after_ticket", "after_purchase", "delay_hours", "channel", "ticket_when_unhappy",
        "quiet_days",
    ],
}  # fmt: skip


def schedule_whose(schedule: Schedule) -> str:
    """Whose hours a schedule is, as staff name it (its stored name may be in two
    languages: "เวลาทำการ / Business hours")."""
    if schedule.team_id is None:
        return _("the business (every team without its own hours)")
    return schedule.team.name if schedule.team else ""


def setting_deletable(row: models.Model) -> bool:
    """The survey settings are one row, edited only; the business's hours are the clock of
    every team without its own, so a team's may go but not the business's."""
    if isinstance(row, SurveySettings):
        return False
    return not (isinstance(row, Schedule) and row.team_id is None)


def _apply(row: models.Model, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in FIELDS[type(row)]:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.full_clean()


@transaction.atomic
def setting_create[M: models.Model](
    *, actor: User | None, model: type[M], fields: Mapping[str, Any]
) -> M:
    """A new row of ``model`` (``fields`` by model field name, relations as objects);
    ``ValidationError`` naming the field when the model refuses it."""
    if model is SurveySettings:
        raise ValidationError(_("The survey settings are one row: change it instead."))
    row = model()
    _apply(row, fields)
    row.save()
    changes = diff({}, snapshot(row, FIELDS[model]))
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, subject=row, changes=changes)
    return row


@transaction.atomic
def setting_update[M: models.Model](*, actor: User | None, row: M, fields: Mapping[str, Any]) -> M:
    """Change the fields given; saved and audited only when something changed."""
    row = type(row)._default_manager.select_for_update().get(pk=row.pk)
    before = snapshot(row, FIELDS[type(row)])
    _apply(row, fields)
    changes = diff(before, snapshot(row, FIELDS[type(row)]))
    if changes:
        row.save()
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, subject=row, changes=changes)
    return row


@transaction.atomic
def setting_delete(*, actor: User | None, row: models.Model) -> None:
    """Refused with a ``ValidationError`` for what must stay (``setting_deletable``) and
    for what records still use (a category its tickets keep): nothing is changed then."""
    if not setting_deletable(row):
        raise ValidationError(_("This cannot be deleted."))
    values = snapshot(row, FIELDS[type(row)])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=row,
        changes={name: [value, None] for name, value in values.items()},
    )
    try:
        row.delete()
    except ProtectedError as error:  # raised before any row is deleted
        users = list(error.protected_objects)
        meta = users[0]._meta
        things = meta.verbose_name if len(users) == 1 else meta.verbose_name_plural
        message = _("“%(name)s” is still used by %(count)d %(things)s, so it cannot be deleted.")
        raise ValidationError(
            message % {"name": row, "count": len(users), "things": things}
        ) from error
