"""Retention (issue 20): each purpose's period applied to the data past it.

| purpose | what is past its period | what is done |
|---|---|---|
| leads | a person still at the lead stage whose leads were never converted, with no order and nothing about them (lead, timeline, consent, points) newer than the period | erased (``customer_erase``) |
| customers | a person with no order ever, nothing newer than the period, no consent in force | erased (``customer_erase``) |
| messages | a sent, failed or blocked message written before the period | its subject and text blanked |
| access log | a who-saw-whom row (and an export's row) older than the period | deleted |

``retention_plan(today)`` says what ``retention_apply(actor=..., today=...)`` would do:
both read the same querysets, so the plan is exactly what is done. A period of 0 keeps
forever. Erasure skips whoever ``erasure_refusals`` names (an open deal, an open
quotation): the querysets leave them out already, so they are not listed either. The
work runs in short transactions: one person, or one batch of rows, at a time.
"""

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import ConsentRecord, Customer, Interaction
from samphan.loyalty.models import PointsEntry
from samphan.messaging.models import Message
from samphan.privacy.access_log import AccessExport, CustomerAccess
from samphan.privacy.erasure import ErasureRefusedError, customer_erase
from samphan.privacy.retention_models import RetentionPolicy
from samphan.sales.models import Deal, Lead, Order, Quote, Stage

SAMPLE = 20  # rows the plan lists of each purpose
BATCH = 1000  # rows changed per transaction
RETENTION_EVERY = 3600.0  # seconds between the worker's looks; it applies once a day
OPEN_QUOTES = (Quote.Status.DRAFT, Quote.Status.SENT)
POLICY_FIELDS = (
    "leads_months",
    "customers_months",
    "messages_months",
    "access_log_months",
    "auto_apply",
)


@dataclass(frozen=True)
class Purpose:
    key: str
    field: str  # the policy's field holding its months
    title: Promise
    does: Promise  # what applying it does, in a sentence


PURPOSES = (
    Purpose(
        "leads",
        "leads_months",
        gettext_lazy("Leads never converted"),
        gettext_lazy(
            "People still at the lead stage, never converted and never buying, with nothing "
            "new about them for this long, are erased (anonymised)."
        ),
    ),
    Purpose(
        "customers",
        "customers_months",
        gettext_lazy("Inactive customers"),
        gettext_lazy(
            "People with no order ever, no visit, interaction, lead or points and no consent "
            "for this long are erased (anonymised). Anyone who ever bought is kept."
        ),
    ),
    Purpose(
        "messages",
        "messages_months",
        gettext_lazy("Message texts"),
        gettext_lazy(
            "The subject and text of messages sent this long ago are blanked; that a message "
            "was sent, when and on which channel stays."
        ),
    ),
    Purpose(
        "access_log",
        "access_log_months",
        gettext_lazy("Who saw whom"),
        gettext_lazy("Records of who saw a customer, older than this, are deleted."),
    ),
)


@dataclass(frozen=True)
class PurposePlan:
    purpose: Purpose
    months: int
    before: dt.date | None  # records older than this day are acted on; None: kept forever
    count: int = 0
    sample: list[tuple[int, dt.date]] = field(default_factory=list)  # (id, date), oldest first

    @property
    def key(self) -> str:
        return self.purpose.key


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved back ``months`` calendar months (31 March less a month: 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# -- What each purpose acts on ----------------------------------------------------------


def _nothing_since(since: dt.datetime) -> Q:
    """People with no order ever, and no lead, timeline entry, consent record or points
    entry since ``since``, no consent in force, and nothing erasure would refuse."""
    person = OuterRef("pk")
    return (
        Q(kind=Customer.Kind.PERSON, erased_at__isnull=True, created_at__lt=since)
        & ~Q(updated_at__gte=since)
        & ~Q(consent_bits__gt=0)
        & ~Q(Exists(Order.objects.filter(customer=person)))
        & ~Q(Exists(Lead.objects.filter(customer=person, updated_at__gte=since)))
        & ~Q(Exists(Interaction.objects.filter(customer=person, occurred_at__gte=since)))
        & ~Q(Exists(ConsentRecord.objects.filter(customer=person, at__gte=since)))
        & ~Q(Exists(PointsEntry.objects.filter(customer=person, at__gte=since)))
        & ~Q(Exists(Deal.objects.filter(customer=person, stage__outcome=Stage.Outcome.OPEN)))
        & ~Q(Exists(Quote.objects.filter(customer=person, status__in=OPEN_QUOTES)))
    )


def _leads(since: dt.datetime) -> models.QuerySet[Any]:
    person = OuterRef("pk")
    return Customer.objects.filter(
        _nothing_since(since),
        Exists(Lead.objects.filter(customer=person)),
        ~Exists(Lead.objects.filter(customer=person, status=Lead.Status.CONVERTED)),
        stage=Customer.Stage.LEAD,
    )


def _customers(since: dt.datetime, policy: RetentionPolicy, today: dt.date) -> models.QuerySet[Any]:
    found = Customer.objects.filter(_nothing_since(since))
    if policy.leads_months:  # the leads purpose, applied first, takes its own
        leads = _leads(_start(months_before(today, policy.leads_months)))
        found = found.exclude(pk__in=leads.values("pk"))
    return found


def _messages(since: dt.datetime) -> models.QuerySet[Any]:
    return (
        Message.objects.filter(created_at__lt=since)
        .exclude(status=Message.Status.QUEUED)
        .exclude(subject="", text="", html="")
    )


def _access(since: dt.datetime) -> models.QuerySet[Any]:
    return CustomerAccess.objects.filter(at__lt=since)


def _selected(
    purpose: Purpose, policy: RetentionPolicy, today: dt.date
) -> tuple[models.QuerySet[Any], str] | None:
    """The rows ``purpose`` acts on today and the date field the plan shows."""
    months = getattr(policy, purpose.field)
    if not months:
        return None
    since = _start(months_before(today, months))
    if purpose.key == "leads":
        return _leads(since), "created_at"
    if purpose.key == "customers":
        return _customers(since, policy, today), "created_at"
    if purpose.key == "messages":
        return _messages(since), "created_at"
    return _access(since), "at"


def retention_plan(
    today: dt.date | None = None, policy: RetentionPolicy | None = None
) -> list[PurposePlan]:
    """What applying the periods would do today: per purpose, how many records and the
    first ``SAMPLE`` of them (id and date, oldest first). Writes nothing."""
    today = today or timezone.localdate()
    policy = policy or RetentionPolicy.current()
    plans = []
    for purpose in PURPOSES:
        months = getattr(policy, purpose.field)
        selected = _selected(purpose, policy, today)
        if selected is None:
            plans.append(PurposePlan(purpose, months, None))
            continue
        rows, date_field = selected
        sample = [
            (pk, timezone.localdate(at))
            for pk, at in rows.order_by(date_field, "pk").values_list("pk", date_field)[:SAMPLE]
        ]
        count = len(sample) if len(sample) < SAMPLE else rows.count()
        plans.append(PurposePlan(purpose, months, months_before(today, months), count, sample))
    return plans


# -- Applying ---------------------------------------------------------------------------


def _erase_each(rows: models.QuerySet[Any], actor: User | None, reason: str) -> int:
    """Each person erased in their own transaction; one erasure refused (something
    changed since the list was read) is skipped, not fatal."""
    erased = 0
    for pk in list(rows.order_by("pk").values_list("pk", flat=True)):
        customer = Customer(pk=pk)
        try:
            customer_erase(customer, actor=actor, reason=reason)
        except ErasureRefusedError:
            continue
        erased += 1
    return erased


def _in_batches(rows: models.QuerySet[Any], change: Callable[[models.QuerySet[Any]], int]) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                return done
            done += change(rows.model.objects.filter(pk__in=ids))


def _blank(rows: models.QuerySet[Any]) -> int:
    return int(rows.update(subject="", text="", html=""))


def _delete(rows: models.QuerySet[Any]) -> int:
    return int(rows.delete()[0])


def retention_apply(*, actor: User | None, today: dt.date | None = None) -> dict[str, int]:
    """Apply each purpose's period: what ``retention_plan(today)`` lists is done, in short
    transactions, with an audit row per purpose that acted (its count). Counts by purpose."""
    today = today or timezone.localdate()
    policy = RetentionPolicy.current()
    done: dict[str, int] = {}
    for purpose in PURPOSES:
        selected = _selected(purpose, policy, today)
        if selected is None:
            continue
        rows, _date_field = selected
        before = months_before(today, getattr(policy, purpose.field))
        reason = _("Retention: %(purpose)s, nothing since %(date)s") % {
            "purpose": purpose.title,
            "date": before.isoformat(),
        }
        if purpose.key in {"leads", "customers"}:
            count = _erase_each(rows, actor, reason)
            action = AuditEvent.Action.ERASE
        elif purpose.key == "messages":
            count = _in_batches(rows, _blank)
            action = AuditEvent.Action.UPDATE
        else:
            count = _in_batches(rows, _delete)
            _in_batches(AccessExport.objects.filter(at__lt=_start(before)), _delete)
            action = AuditEvent.Action.DELETE
        done[purpose.key] = count
        if count:
            audit_record(
                actor=actor,
                action=action,
                subject=policy,
                changes={"retention": purpose.key, "count": count, "before": before.isoformat()},
            )
    RetentionPolicy.objects.filter(pk=1).update(last_applied_on=today)
    return done


def retention_daily(today: dt.date | None = None) -> dict[str, int] | None:
    """The worker's loop (hourly): applies the periods once a day when the admin turned
    automatic application on. The day is claimed first, so a second worker or a second
    run the same day does nothing. None when nothing was applied."""
    today = today or timezone.localdate()
    claimed = (
        RetentionPolicy.objects.filter(pk=1, auto_apply=True)
        .exclude(last_applied_on=today)
        .update(last_applied_on=today)
    )
    if not claimed:
        return None
    return retention_apply(actor=None, today=today)


def retention_policy_update(*, actor: User | None, data: Mapping[str, Any]) -> RetentionPolicy:
    """Change the periods or automatic application; bad values raise ``ValidationError``
    naming the field and change nothing; an unchanged save writes nothing."""
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    with transaction.atomic():
        found = RetentionPolicy.objects.select_for_update().filter(pk=1).first()
        policy = found or RetentionPolicy(pk=1)  # the first change saves the defaults too
        before = snapshot(policy, list(POLICY_FIELDS))
        for name, value in data.items():
            setattr(policy, name, value)
        policy.full_clean()
        changes = diff(before, snapshot(policy, list(POLICY_FIELDS)))
        if changes:
            policy.save()
            audit_record(
                actor=actor, action=AuditEvent.Action.UPDATE, subject=policy, changes=changes
            )
    return policy
