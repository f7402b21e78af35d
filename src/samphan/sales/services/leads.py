"""Leads: capture (staff, API, public form), assignment, conversion in one step.

A lead's person is a ``Customer`` at the lead stage from the start; a phone or e-mail
that already belongs to a customer links the lead to that customer instead of creating a
second one (except from the public form, which may not touch a known customer). Conversion moves the customer to prospect or customer, can add their company
and a deal, and can merge a duplicate, all in one transaction.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import Team, User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.core.notifications import notify
from samphan.core.public import sender_hash
from samphan.customers import services as customer_services
from samphan.customers.merge import customer_merge
from samphan.customers.models import ConsentRecord, ContactPoint, Customer
from samphan.sales.models import Deal, Lead, RoundRobin, Stage
from samphan.sales.services.deals import deal_create

PUBLIC_FORM_LIMIT = 5  # leads per sender per window
PUBLIC_FORM_WINDOW_MINUTES = 10


@dataclass(frozen=True)
class LeadInput:
    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    company_name: str = ""
    job_title: str = ""
    phone: str = ""
    email: str = ""
    message: str = ""
    source: str = ""
    campaign: str = ""


def _contacts(data: LeadInput) -> list[dict[str, Any]]:
    """The lead's phone and e-mail as contact points, normalised; errors name the field."""
    contacts: list[dict[str, Any]] = []
    for field, kind in (("phone", ContactPoint.Kind.MOBILE), ("email", ContactPoint.Kind.EMAIL)):
        raw = getattr(data, field).strip()
        if not raw:
            continue
        try:
            value = customer_services.contact_value_normalise(kind, raw)
        except ValidationError as error:
            raise ValidationError({field: error.message_dict["value"]}) from error
        contacts.append({"kind": kind, "value": value, "is_preferred": not contacts})
    if not contacts:
        raise ValidationError({"phone": _("Give a phone number or an e-mail address.")})
    return contacts


@transaction.atomic
def lead_capture(
    *,
    actor: User | None,
    data: LeadInput,
    owner: User | None = None,
    team: Team | None = None,
    sender: str = "",
    public: bool = False,
) -> Lead:
    """Record an enquiry. Returns the lead, linked to an existing customer when the phone or
    e-mail is already known (``matched_existing``), else to a new customer at the lead stage.
    A ``public`` enquiry (nobody logged in) is never linked to a known customer: it gets its
    own lead-stage record, flagged ``unconfirmed_match``, for staff to confirm and merge."""
    contacts = _contacts(data)
    if not (data.first_name or data.last_name or data.nickname or data.company_name).strip():
        raise ValidationError({"first_name": _("Enter a name.")})
    if len(data.message) > 5000:
        raise ValidationError({"message": _("Keep the message under 5,000 characters.")})
    existing = customer_services.duplicates_of([(c["kind"], c["value"]) for c in contacts]).first()
    unconfirmed = public and existing is not None
    if unconfirmed:
        existing = None
    customer = existing or _new_customer(actor, data, contacts, owner)
    lead = Lead(
        customer=customer,
        source=(data.source or "")[:20],
        campaign=(data.campaign or "").strip()[:100],
        message=data.message.strip(),
        matched_existing=existing is not None,
        unconfirmed_match=unconfirmed,
        sender_hash=sender_hash(sender) if sender else "",
        team=team,
    )
    lead.full_clean(exclude=["customer", "owner", "team", "deal"])
    lead.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=lead,
        customer_id=customer.pk,
        changes={"source": [None, lead.source], "campaign": [None, lead.campaign]},
    )
    if owner is not None:
        lead_assign(actor=actor, lead=lead, owner=owner)
    elif team is not None:
        lead_assign_round_robin(actor=actor, lead=lead, team=team)
    return lead


def _new_customer(
    actor: User | None, data: LeadInput, contacts: list[dict[str, Any]], owner: User | None
) -> Customer:
    is_person = bool((data.first_name or data.last_name or data.nickname).strip())
    fields: dict[str, Any] = {
        "kind": Customer.Kind.PERSON if is_person else Customer.Kind.COMPANY,
        "stage": Customer.Stage.LEAD,
        "source": data.source if data.source in Customer.Source.values else "",
    }
    if is_person:
        fields |= {
            "first_name": data.first_name.strip()[:100],
            "last_name": data.last_name.strip()[:100],
            "nickname": data.nickname.strip()[:50],
            "job_title": data.job_title.strip()[:100],
        }
    else:
        fields["company_name"] = data.company_name.strip()[:200]
    if owner is not None:
        fields["owner"] = owner
    # lead_capture matched a known phone or e-mail to its customer before coming here.
    return customer_services.customer_create(
        actor=actor, fields=fields, contact_points=contacts, allow_duplicate=True
    )


# The box a visitor ticks on the public form: being contacted about this enquiry, on the
# channels they gave.
PUBLIC_FORM_CHANNELS = {"email": ConsentRecord.Channel.EMAIL, "phone": ConsentRecord.Channel.SMS}


@transaction.atomic
def lead_capture_public(*, data: LeadInput, sender: str) -> Lead:
    """An enquiry from the public form, with the consent its box gave. Nothing a visitor
    without login sends changes a known customer: a known phone or e-mail gets a separate
    lead flagged ``unconfirmed_match`` and no consent, until staff confirm it was them."""
    lead = lead_capture(actor=None, data=data, sender=sender, public=True)
    if lead.unconfirmed_match:
        return lead
    for field, channel in PUBLIC_FORM_CHANNELS.items():
        if getattr(data, field):
            customer_services.consent_record(
                actor=None,
                customer=lead.customer,
                channel=channel,
                status=ConsentRecord.Status.GRANTED,
                purpose=ConsentRecord.Purpose.SERVICE,
                source=ConsentRecord.Source.FORM,
                wording_version="lead-form-1",
            )
    return lead


def public_form_allowed(sender: str) -> bool:
    """At most PUBLIC_FORM_LIMIT leads per sender address per window, across web processes
    (counted in the database, so it holds with several workers)."""
    since = timezone.now() - dt.timedelta(minutes=PUBLIC_FORM_WINDOW_MINUTES)
    recent = Lead.objects.filter(sender_hash=sender_hash(sender), created_at__gte=since)
    return recent.count() < PUBLIC_FORM_LIMIT


@transaction.atomic
def lead_assign(*, actor: User | None, lead: Lead, owner: User | None) -> Lead:
    """Give the lead (and its new customer) to ``owner`` and tell them in the app."""
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": _("Choose an active user.")})
    previous = lead.owner_id
    lead.owner = owner
    lead.team_id = owner.team_id or lead.team_id
    lead.assigned_at = timezone.now()
    if lead.status == Lead.Status.NEW:
        lead.status = Lead.Status.WORKING
    lead.save(update_fields=["owner", "team", "assigned_at", "status", "updated_at"])
    customer = lead.customer
    if customer.stage == Customer.Stage.LEAD and customer.owner_id != owner.pk:
        customer_services.customer_update(
            actor=actor, customer=customer, fields={"owner": owner, "team": owner.team}
        )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=lead,
        customer_id=lead.customer_id,
        changes={"owner": [previous, owner.pk]},
    )
    if owner.pk != getattr(actor, "pk", None):
        notify(
            user=owner,
            text=_("New lead for you: %(name)s") % {"name": customer.display_name},
            url=reverse("lead_detail", args=[lead.pk]),
        )
    return lead


@transaction.atomic
def lead_assign_round_robin(*, actor: User | None, lead: Lead, team: Team) -> Lead:
    """Give the lead to the team member after the one who had the last lead."""
    members = list(
        User.objects.filter(team=team, is_active=True, groups__name="sales").order_by("pk")
    ) or list(User.objects.filter(team=team, is_active=True).order_by("pk"))
    if not members:
        raise ValidationError({"team": _("This team has no active members.")})
    state, _created = RoundRobin.objects.select_for_update().get_or_create(team=team)
    after = [member for member in members if state.last_user_id and member.pk > state.last_user_id]
    chosen = (after or members)[0]
    state.last_user = chosen
    state.save(update_fields=["last_user"])
    return lead_assign(actor=actor, lead=lead, owner=chosen)


@dataclass(frozen=True)
class Conversion:
    stage: str = Customer.Stage.PROSPECT  # prospect or customer
    company_name: str = ""  # a company to create and attach the person to
    company: Customer | None = None  # or an existing one
    deal_title: str = ""
    deal_amount: Decimal | None = None
    deal_stage: Stage | None = None
    merge_into: Customer | None = None  # a duplicate that is the same person


@transaction.atomic
def lead_convert(*, actor: User | None, lead: Lead, conversion: Conversion) -> Lead:
    """Qualify and convert in one step; nothing is written unless all of it succeeds."""
    lead = Lead.objects.select_for_update().select_related("customer").get(pk=lead.pk)
    if not lead.is_open:
        raise ValidationError({"status": _("This lead is already closed.")})
    if conversion.stage not in (Customer.Stage.PROSPECT, Customer.Stage.CUSTOMER):
        raise ValidationError({"stage": _("Choose prospect or customer.")})
    customer = lead.customer
    if conversion.merge_into is not None:
        customer = customer_merge(actor=actor, source=customer, target=conversion.merge_into)
    fields: dict[str, Any] = {}
    if Customer.Stage.values.index(customer.stage) < Customer.Stage.values.index(conversion.stage):
        fields["stage"] = conversion.stage
    company = conversion.company or _company(actor, conversion.company_name, customer)
    if company is not None and not customer.is_company:
        fields["company"] = company
    if fields:
        customer_services.customer_update(actor=actor, customer=customer, fields=fields)
    deal: Deal | None = None
    if conversion.deal_title.strip():
        deal = deal_create(
            actor=actor,
            fields={
                "title": conversion.deal_title,
                "customer": company or customer,  # a B2B deal belongs to the company
                "amount": conversion.deal_amount or 0,
                "owner": lead.owner or (actor if getattr(actor, "pk", None) else None),
                "source": lead.source,
            },
            stage=conversion.deal_stage,
        )
    lead.customer = customer
    previous = lead.status
    lead.status = Lead.Status.CONVERTED
    lead.closed_at = timezone.now()
    lead.deal = deal
    lead.save(update_fields=["customer", "status", "closed_at", "deal", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=lead,
        customer_id=customer.pk,
        changes={"status": [previous, lead.status], "deal": [None, deal.pk if deal else None]},
    )
    return lead


def _company(actor: User | None, name: str, person: Customer) -> Customer | None:
    name = (name or "").strip()
    if not name or person.is_company:
        return None
    return customer_services.customer_create(
        actor=actor,
        fields={
            "kind": Customer.Kind.COMPANY,
            "company_name": name[:200],
            "stage": Customer.Stage.PROSPECT,
            "owner": person.owner,
        },
    )


@transaction.atomic
def lead_disqualify(*, actor: User | None, lead: Lead, reason: str) -> Lead:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this lead is not worth pursuing.")})
    if not lead.is_open:
        raise ValidationError({"status": _("This lead is already closed.")})
    previous = lead.status
    lead.status = Lead.Status.DISQUALIFIED
    lead.close_reason = reason[:200]
    lead.closed_at = timezone.now()
    lead.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=lead,
        customer_id=lead.customer_id,
        changes={"status": [previous, lead.status], "reason": [None, lead.close_reason]},
    )
    return lead


def lead_fields_from(mapping: Mapping[str, Any]) -> LeadInput:
    """A LeadInput from form or API data, ignoring keys it does not know."""
    known = LeadInput.__dataclass_fields__
    return LeadInput(**{k: str(v or "") for k, v in mapping.items() if k in known})
