"""Every write to data-subject requests and the breach register: validated, in one
transaction, audited. Closing a restriction or objection restricts the customer's
processing (``customers.services.customer_restrict``)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from samphan.accounts.models import Role, User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.dates import format_date
from samphan.core.models import AuditEvent
from samphan.core.notifications import notify
from samphan.customers import services as customer_services
from samphan.customers.models import Customer
from samphan.privacy.models import (
    ANSWER_WITHIN,
    REMIND_WITHIN_DAYS,
    Breach,
    SubjectRequest,
)

REQUEST_FIELDS = (
    "kind",
    "customer",
    "requester_name",
    "requester_contact",
    "identity_method",
    "identity_note",
    "received_on",
    "status",
    "handled_by",
    "notes",
)
AUDITED_REQUEST_FIELDS = [*REQUEST_FIELDS, "due_on", "refusal_reason", "closed_at"]
BREACH_FIELDS = (
    "what_happened",
    "found_at",
    "happened_at",
    "affected_count",
    "data_kinds",
    "risk",
    "measures",
    "regulator_notified_at",
    "people_notified_at",
)
AUDITED_BREACH_FIELDS = [*BREACH_FIELDS, "customers"]
REMIND_EVERY = 3600.0  # seconds between the worker's looks for requests falling due
# Closing one of these as done restricts the customer's processing.
RESTRICTING_KINDS = (SubjectRequest.Kind.RESTRICTION, SubjectRequest.Kind.OBJECTION)


def _customer_id(request: SubjectRequest) -> int | None:
    return request.customer_id


def _check_request(request: SubjectRequest) -> None:
    request.due_on = request.received_on + ANSWER_WITHIN
    request.full_clean(exclude=["created_by"])
    if request.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A request cannot be received in the future.")})
    if request.status == SubjectRequest.Status.REFUSED and not request.refusal_reason.strip():
        raise ValidationError({"refusal_reason": _("Say why the request is refused.")})


def subject_request_create(*, actor: User | None, data: Mapping[str, Any]) -> SubjectRequest:
    """Log a request; due 30 days after it was received (s.30). Open unless ``status``."""
    unknown = set(data) - {*REQUEST_FIELDS, "refusal_reason"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    request = SubjectRequest(created_by=actor if getattr(actor, "pk", None) else None, **data)
    if request.received_on is None:
        request.received_on = timezone.localdate()
    if request.status not in SubjectRequest.OPEN_STATUSES:
        raise ValidationError(
            {"status": _("A new request is open or in progress; close it after.")}
        )
    _check_request(request)
    with transaction.atomic():
        request.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            subject=request,
            customer_id=_customer_id(request),
            changes=diff({}, snapshot(request, AUDITED_REQUEST_FIELDS)),
        )
    return request


def subject_request_update(
    *, actor: User | None, request: SubjectRequest, data: Mapping[str, Any]
) -> SubjectRequest:
    """Change a request's fields; a status of done or refused closes it (``closed_at``),
    and closing a restriction or objection as done restricts the customer."""
    unknown = set(data) - {*REQUEST_FIELDS, "refusal_reason"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    with transaction.atomic():
        locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        before = snapshot(locked, AUDITED_REQUEST_FIELDS)
        was_open = locked.is_open
        for name, value in data.items():
            setattr(locked, name, value)
        if locked.is_open:
            locked.closed_at = None
        elif was_open or locked.closed_at is None:
            locked.closed_at = timezone.now()
        if locked.status != SubjectRequest.Status.REFUSED:
            locked.refusal_reason = ""
        restricting = locked.kind in RESTRICTING_KINDS
        if locked.status == SubjectRequest.Status.DONE and restricting and locked.customer is None:
            raise ValidationError(
                {"customer": _("Choose the customer whose processing is to be restricted.")}
            )
        _check_request(locked)
        changes = diff(before, snapshot(locked, AUDITED_REQUEST_FIELDS))
        if changes:  # an unchanged save writes nothing, not even "last updated"
            locked.save()
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                subject=locked,
                customer_id=_customer_id(locked),
                changes=changes,
            )
        just_done = was_open and locked.status == SubjectRequest.Status.DONE
        if just_done and restricting and locked.customer_id is not None:
            customer_services.customer_restrict(
                actor=actor,
                customer=Customer.objects.select_for_update().get(pk=locked.customer_id),
                reason=_("%(kind)s request of %(date)s")
                % {"kind": locked.get_kind_display(), "date": format_date(locked.received_on)},
            )
    return locked


# -- Reminders ---------------------------------------------------------------------------


def _managers() -> list[User]:
    return list(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name__in=[Role.ADMIN, Role.MANAGER]), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def requests_remind(today: dt.date | None = None) -> int:
    """Tell the handler (or, with none, the managers and admins) of each unfinished request
    due within 7 days or overdue; once a day per request however often it runs (the
    worker calls it hourly). How many requests were reminded of."""
    today = today or timezone.localdate()
    due = SubjectRequest.objects.unfinished().filter(
        due_on__lte=today + dt.timedelta(days=REMIND_WITHIN_DAYS)
    )
    due = due.filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
    reminded = 0
    managers: list[User] | None = None
    for pk in due.order_by("due_on", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed first: a second worker (or a second run) finds nothing to do.
            if (
                not SubjectRequest.objects.filter(pk=pk)
                .exclude(reminded_on=today)
                .update(reminded_on=today)
            ):
                continue
            request = SubjectRequest.objects.select_related("handled_by").get(pk=pk)
            if request.handled_by is not None:
                told = [request.handled_by]
            else:
                managers = _managers() if managers is None else managers
                told = managers
            url = reverse("subject_request_detail", args=[request.pk])
            for user in told:
                with override(user.language or "th"):
                    notify(user=user, text=_reminder_text(request, today), url=url)
            reminded += 1
    return reminded


def _reminder_text(request: SubjectRequest, today: dt.date) -> str:
    left = request.days_left(today)
    values = {"kind": request.get_kind_display(), "name": request.requester_name, "days": abs(left)}
    if left < 0:
        return (
            ngettext(
                "Overdue by %(days)s day: %(kind)s request from %(name)s.",
                "Overdue by %(days)s days: %(kind)s request from %(name)s.",
                abs(left),
            )
            % values
        )
    return (
        ngettext(
            "Due in %(days)s day: %(kind)s request from %(name)s.",
            "Due in %(days)s days: %(kind)s request from %(name)s.",
            left,
        )
        % values
    )


# -- Breaches ----------------------------------------------------------------------------


def _check_breach(breach: Breach) -> None:
    breach.full_clean(exclude=["recorded_by", "customers"])
    now = timezone.now()
    errors = {}
    if breach.found_at > now:
        errors["found_at"] = _("A breach cannot be found in the future.")
    if breach.happened_at and breach.happened_at > breach.found_at:
        errors["happened_at"] = _("It cannot have happened after it was found.")
    for name in ("regulator_notified_at", "people_notified_at"):
        value = getattr(breach, name)
        if value and value > now:
            errors[name] = _("Cannot be in the future.")
        elif value and value < (breach.happened_at or breach.found_at):
            errors[name] = _("Cannot be before the breach.")
    if errors:
        raise ValidationError(errors)


def _customers_set(breach: Breach, customers: list[Customer] | None) -> None:
    if customers is not None:
        breach.customers.set(customers)


def breach_create(
    *, actor: User | None, data: Mapping[str, Any], customers: list[Customer] | None = None
) -> Breach:
    unknown = set(data) - set(BREACH_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    breach = Breach(recorded_by=actor if getattr(actor, "pk", None) else None, **data)
    _check_breach(breach)
    with transaction.atomic():
        breach.save()
        _customers_set(breach, customers)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            subject=breach,
            changes=diff({}, snapshot(breach, AUDITED_BREACH_FIELDS)),
        )
    return breach


def breach_update(
    *,
    actor: User | None,
    breach: Breach,
    data: Mapping[str, Any],
    customers: list[Customer] | None = None,
) -> Breach:
    unknown = set(data) - set(BREACH_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        before = snapshot(locked, AUDITED_BREACH_FIELDS)
        for name, value in data.items():
            setattr(locked, name, value)
        _check_breach(locked)
        _customers_set(locked, customers)
        changes = diff(before, snapshot(locked, AUDITED_BREACH_FIELDS))
        if changes:  # an unchanged save writes nothing, not even "last updated"
            locked.save()
            audit_record(
                actor=actor, action=AuditEvent.Action.UPDATE, subject=locked, changes=changes
            )
    return locked
