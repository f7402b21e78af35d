"""Checking customers in, and announcing the arrivals staff should know about.

A check-in is a visit on the customer's timeline (``customers.services.interaction_log``:
audited, and the analytics roll-ups follow it in the same transaction); the alert rules
then decide who is told, in the same transaction, so an alert never points at a visit
that was rolled back.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from samphan.analytics.queries import activity_of, in_top_by_revenue
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.core.phones import normalise_phone, phone_search_digits
from samphan.core.public import sender_hash
from samphan.core.search import matching_ids
from samphan.customers import services as customer_services
from samphan.customers.membership import card_read, member_number_assign
from samphan.customers.models import ConsentRecord, ContactPoint, Customer, Interaction
from samphan.frontdesk.models import Alert, AlertRule, SignUp

MAX_CARDS = 12  # matches shown as cards to pick from
OPEN_HOURS = 8  # an arrival nobody greeted stops being announced after a shift
TIER_RANK: list[str] = [
    Customer.Tier.NONE, Customer.Tier.SILVER, Customer.Tier.GOLD, Customer.Tier.PLATINUM,
]  # fmt: skip
# The consent wording a record was given under: 2026-2 offers LINE beside SMS and e-mail
# and shows the shop's own privacy notice on the sign-up page.
WORDING_VERSION = "2026-2"


class Method(TextChoices):
    PHONE = "phone", gettext_lazy("phone number")
    CARD = "card", gettext_lazy("member card")
    MEMBER = "member", gettext_lazy("member number")
    NAME = "name", gettext_lazy("name")
    PICKED = "picked", gettext_lazy("picked from a list")
    NEW = "new", gettext_lazy("registered at the desk")


@dataclass
class Found:
    """What a front-desk lookup found: the customers (at most ``MAX_CARDS``), how they were
    found, whether there were more, or why nothing could be looked up."""

    customers: list[Customer] = field(default_factory=list)
    method: str = ""
    more: bool = False
    error: str = ""
    phone: str = ""  # a whole phone number typed (E.164), offered to the quick sign-up


def _candidates(user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).filter(archived_at__isnull=True)


def customers_find(user: Any, query: str) -> Found:
    """Customers matching what was typed or scanned: a member card's code, a member number,
    a phone number in any form (or its last four digits or more), or a name."""
    query = query.strip()
    if not query:
        return Found(error=_("Type a phone number, a member number or a name."))
    candidates = _candidates(user)
    card = card_read(query)
    if card is not None:
        if card.error:
            return Found(method=Method.CARD, error=card.error)
        found = list(candidates.filter(member_number=card.member_number))
        if not found:
            return Found(method=Method.CARD, error=_("No customer holds this member card."))
        return Found(found, Method.CARD)
    members = list(candidates.filter(member_number__in={query, query.upper()}))
    if members:
        return Found(members, Method.MEMBER)
    if phone_search_digits(query):
        try:
            number = normalise_phone(query)
        except ValidationError:
            number = ""
        if number:  # a whole number: its contact points, through their (kind, value) index
            owners = ContactPoint.objects.filter(
                kind__in=ContactPoint.PHONE_KINDS, value=number
            ).values("customer_id")
            matches = candidates.filter(pk__in=owners).order_by("display_name", "id")
            found = list(matches[: MAX_CARDS + 1])
            return Found(found[:MAX_CARDS], Method.PHONE, len(found) > MAX_CARDS, phone=number)
        return _searched(candidates, query, Method.PHONE)
    return _searched(candidates, query, Method.NAME)


def _searched(candidates: QuerySet[Customer], query: str, method: str) -> Found:
    ids = matching_ids(candidates, query, limit=MAX_CARDS + 1)
    found = list(Customer.objects.filter(pk__in=ids[:MAX_CARDS]).order_by("display_name", "id"))
    return Found(found, method, len(ids) > MAX_CARDS)


@dataclass
class Arrival:
    customer: Customer
    visit: Interaction
    alert: Alert | None
    previous_visit_at: dt.datetime | None
    last_purchase_at: dt.datetime | None


@transaction.atomic
def check_in(*, actor: Any, customer: Customer, method: str) -> Arrival:
    """Record the visit and raise the alert its rules call for."""
    before = activity_of(customer.pk)  # read first: the visit moves the last visit
    visit = customer_services.interaction_log(
        actor=actor,
        customer=customer,
        kind=Interaction.Kind.VISIT,
        summary=_("Checked in at the front desk (%(how)s)") % {"how": Method(method).label},
        channel=_("Front desk"),
    )
    return Arrival(
        customer=customer,
        visit=visit,
        alert=_alert_raise(customer, visit, actor),
        previous_visit_at=before.last_visit_at if before else None,
        last_purchase_at=before.last_purchase_at if before else None,
    )


def is_birthday(birthday: dt.date | None, today: dt.date) -> bool:
    """On 28 February for those born on the 29th, in the years without one."""
    if birthday is None:
        return False
    if (birthday.month, birthday.day) == (today.month, today.day):
        return True
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    return (
        (birthday.month, birthday.day) == (2, 29)
        and not leap
        and (today.month, today.day) == (2, 28)
    )


def rules_matching(customer: Customer, today: dt.date) -> list[AlertRule]:
    rules = list(AlertRule.objects.filter(is_active=True))
    tags: set[int] = set()
    if any(rule.kind == AlertRule.Kind.TAG for rule in rules):
        tags = set(customer.tags.values_list("id", flat=True))
    return [rule for rule in rules if _matches(rule, customer, tags, today)]


def _matches(rule: AlertRule, customer: Customer, tags: set[int], today: dt.date) -> bool:
    match rule.kind:
        case AlertRule.Kind.TIER:
            return bool(rule.tier) and TIER_RANK.index(customer.tier) >= TIER_RANK.index(rule.tier)
        case AlertRule.Kind.VIP:
            return customer.is_vip
        case AlertRule.Kind.TAG:
            return rule.tag_id in tags
        case AlertRule.Kind.TOP:
            return (
                rule.top is not None and rule.top > 0 and in_top_by_revenue(customer.pk, rule.top)
            )
        case AlertRule.Kind.BIRTHDAY:
            return is_birthday(customer.birthday, today)
    return False


def _alert_raise(customer: Customer, visit: Interaction, actor: Any) -> Alert | None:
    rules = rules_matching(customer, timezone.localdate())
    if not rules:
        return None
    audiences = {rule.audience for rule in rules}
    owner = customer.owner_id if AlertRule.Audience.OWNER in audiences else None
    alert = Alert.objects.create(
        customer=customer,
        visit=visit,
        reasons=list(dict.fromkeys(rule.name for rule in rules)),
        # An owner's rule for a customer without one tells everyone rather than nobody.
        everyone=AlertRule.Audience.EVERYONE in audiences
        or (AlertRule.Audience.OWNER in audiences and owner is None),
        user_id=owner,
        arrived_at=visit.occurred_at,
        checked_in_by=actor if getattr(actor, "pk", None) else None,
    )
    teams = {
        rule.team_id
        for rule in rules
        if rule.audience == AlertRule.Audience.TEAM and rule.team_id is not None
    }
    if teams:
        alert.teams.set(teams)
    return alert


# -- Alert rules -------------------------------------------------------------------------------

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
def alert_rule_create(*, actor: Any, fields: Mapping[str, Any]) -> AlertRule:
    """A new rule (``fields`` by model field name; ``tag`` and ``team`` as objects);
    ``ValidationError`` naming the field when it is incomplete."""
    rule = AlertRule()
    _rule_fields_apply(rule, fields)
    rule.save()
    changes = diff({}, snapshot(rule, RULE_FIELDS))
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, subject=rule, changes=changes)
    return rule


@transaction.atomic
def alert_rule_update(*, actor: Any, rule: AlertRule, fields: Mapping[str, Any]) -> AlertRule:
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
def alert_rule_delete(*, actor: Any, rule: AlertRule) -> None:
    """The alerts it raised stay (they keep the rule's name as their reason)."""
    changes = {name: [value, None] for name, value in snapshot(rule, RULE_FIELDS).items()}
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, subject=rule, changes=changes)
    rule.delete()


@transaction.atomic
def alert_rules_default_create(*, actor: Any = None) -> list[AlertRule]:
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


def alerts_open_for(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Alert]:
    """Arrivals this user should be shown and nobody has greeted, newest first."""
    since = (now or timezone.now()) - dt.timedelta(hours=OPEN_HOURS)
    audience = Q(everyone=True) | Q(user_id=user.pk)
    if user.team_id:
        in_team = Alert.teams.through.objects.filter(alert_id=OuterRef("pk"), team_id=user.team_id)
        audience |= Q(Exists(in_team))
    return (
        Alert.objects.visible_to(user)
        .filter(audience, greeted_at__isnull=True, arrived_at__gte=since)
        .filter(customer__archived_at__isnull=True)
        .select_related("customer")
        .order_by("-id")
    )


def alerts_state(alerts: list[Alert]) -> str:
    """A short token that changes when the open alerts change: a screen polling with the
    token it has gets "nothing new" until then."""
    ids = ",".join(str(alert.pk) for alert in alerts)
    return hashlib.blake2s(ids.encode(), digest_size=6).hexdigest()


def alert_greet(*, actor: Any, alert: Alert) -> bool:
    """Mark the customer greeted, once: False when somebody was quicker."""
    now = timezone.now()
    done = Alert.objects.filter(pk=alert.pk, greeted_at__isnull=True).update(
        greeted_at=now, greeted_by=actor
    )
    if done:
        alert.greeted_at, alert.greeted_by = now, actor
    return bool(done)


def _consents_granted(
    customer: Customer, consents: list[tuple[str, str]], *, actor: Any, source: str
) -> None:
    """One consent record per box ticked (channel, purpose), under this wording."""
    for channel, purpose in consents:
        customer_services.consent_record(
            actor=actor,
            customer=customer,
            channel=channel,
            purpose=purpose,
            status=ConsentRecord.Status.GRANTED,
            source=source,
            wording_version=WORDING_VERSION,
        )


@dataclass
class WalkIn:
    first_name: str
    phone: str
    nickname: str = ""
    consents: list[tuple[str, str]] = field(default_factory=list)  # (channel, purpose) ticked


@transaction.atomic
def walk_in_register(*, actor: Any, data: WalkIn) -> Customer:
    """A new customer from the desk: name, mobile and the consents they gave, with a
    member number. A mobile already on file is refused (check that customer in)."""
    if not data.first_name.strip() and not data.nickname.strip():
        raise ValidationError({"first_name": _("Enter a first name or a nickname.")})
    if not data.phone.strip():
        raise ValidationError({"phone": _("Enter a mobile number.")})
    try:
        number = normalise_phone(data.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    if customer_services.duplicates_of([(ContactPoint.Kind.MOBILE, number)]).exists():
        raise ValidationError({"phone": _("This number is already registered: look it up.")})
    customer = customer_services.customer_create(
        actor=actor,
        fields={
            "kind": Customer.Kind.PERSON,
            "first_name": data.first_name.strip(),
            "nickname": data.nickname.strip(),
            "stage": Customer.Stage.CUSTOMER,
            "source": Customer.Source.WALK_IN,
        },
        contact_points=[{"kind": ContactPoint.Kind.MOBILE, "value": number, "is_preferred": True}],
        allow_duplicate=True,  # refused above, with the front desk's own message
    )
    _consents_granted(customer, data.consents, actor=actor, source=ConsentRecord.Source.STAFF)
    member_number_assign(customer, actor=actor)
    return customer


# -- Membership sign-up (the public form) -------------------------------------------------------

SIGN_UP_LIMIT = 5  # sign-ups per sender address per window
SIGN_UP_WINDOW_MINUTES = 10


def sign_up_allowed(sender: str) -> bool:
    """Counted in the database, so the limit holds across web processes."""
    since = timezone.now() - dt.timedelta(minutes=SIGN_UP_WINDOW_MINUTES)
    recent = SignUp.objects.filter(sender_hash=sender_hash(sender), created_at__gte=since)
    return recent.count() < SIGN_UP_LIMIT


@dataclass
class MemberSignUp:
    first_name: str
    mobile: str
    last_name: str = ""
    nickname: str = ""
    email: str = ""
    birthday: dt.date | None = None
    interests: list[Any] = field(default_factory=list)
    consents: list[tuple[str, str]] = field(default_factory=list)  # (channel, purpose) ticked


@transaction.atomic
def member_sign_up(*, data: MemberSignUp, sender: str) -> tuple[Customer, bool]:
    """A new member from the public form, with a member number, the interests and the
    consents they ticked; or, when their mobile or e-mail is already on file, the known
    customer, unchanged (``True``: welcome back; nobody becomes a duplicate, and a form
    without login changes nothing of a record it may not own)."""
    if not data.first_name.strip() and not data.nickname.strip():
        raise ValidationError({"first_name": _("Enter a first name or a nickname.")})
    contacts = [("mobile", ContactPoint.Kind.MOBILE, data.mobile)]
    if data.email.strip():
        contacts.append(("email", ContactPoint.Kind.EMAIL, data.email))
    normalised = []
    for name, kind, value in contacts:
        try:
            normalised.append((kind, customer_services.contact_value_normalise(kind, value)))
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error
    known = customer_services.duplicates_of(normalised).first()
    if known is not None:
        SignUp.objects.create(customer=known, returning=True, sender_hash=sender_hash(sender))
        return known, True
    customer = customer_services.customer_create(
        actor=None,
        fields={
            "kind": Customer.Kind.PERSON,
            "first_name": data.first_name.strip(),
            "last_name": data.last_name.strip(),
            "nickname": data.nickname.strip(),
            "birthday": data.birthday,
            "stage": Customer.Stage.CUSTOMER,
            "source": Customer.Source.WEBSITE,
        },
        interests=data.interests,
        contact_points=[
            {"kind": kind, "value": value, "is_preferred": kind == ContactPoint.Kind.MOBILE}
            for kind, value in normalised
        ],
        allow_duplicate=True,  # a known phone or e-mail returned its customer above
    )
    _consents_granted(customer, data.consents, actor=None, source=ConsentRecord.Source.FORM)
    member_number_assign(customer)
    SignUp.objects.create(customer=customer, sender_hash=sender_hash(sender))
    return customer, False
