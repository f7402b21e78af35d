"""Checking customers in, and announcing the arrivals staff should know about.

A check-in is a visit on the customer's timeline (``customers.services.interaction_log``:
audited, and the analytics roll-ups follow it in the same transaction); the alert rules
then decide who is told, in the same transaction, so an alert never points at a visit
that was rolled back.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samphan.accounts.models import User
from samphan.analytics.queries import activity_of, in_top_by_revenue
from samphan.core.permissions import sees_all_records
from samphan.customers import services as customer_services
from samphan.customers.models import Customer, Interaction
from samphan.frontdesk.models import Alert, AlertRule
from samphan.frontdesk.notes import arrival_notes

OPEN_HOURS = 8  # an arrival nobody greeted stops being announced after a shift
TIER_RANK: list[str] = [
    Customer.Tier.NONE, Customer.Tier.SILVER, Customer.Tier.GOLD, Customer.Tier.PLATINUM,
]  # fmt: skip


class Method(TextChoices):
    PHONE = "phone", gettext_lazy("phone number")
    CARD = "card", gettext_lazy("member card")
    MEMBER = "member", gettext_lazy("member number")
    NAME = "name", gettext_lazy("name")
    PICKED = "picked", gettext_lazy("picked from a list")
    NEW = "new", gettext_lazy("registered at the desk")


@dataclass
class Arrival:
    customer: Customer
    visit: Interaction
    alert: Alert | None
    previous_visit_at: dt.datetime | None
    last_purchase_at: dt.datetime | None


@transaction.atomic
def check_in(*, actor: User | None, customer: Customer, method: str) -> Arrival:
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


def _alert_raise(customer: Customer, visit: Interaction, actor: User | None) -> Alert | None:
    rules = rules_matching(customer, timezone.localdate())
    if not rules:
        return None
    audiences = {rule.audience for rule in rules}
    owner = customer.owner_id if AlertRule.Audience.OWNER in audiences else None
    alert = Alert.objects.create(
        customer=customer,
        visit=visit,
        # The rules that called for it, then what staff should know (an open ticket …).
        reasons=list(dict.fromkeys([*(rule.name for rule in rules), *arrival_notes(customer)])),
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


def alerts_open_for(user: User, *, now: dt.datetime | None = None) -> QuerySet[Alert]:
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


# The screens' poll asks for the open alerts' ids once a second each, and the ORM would
# build the same statement every time (about 1 ms of CPU, as much as the rest of the
# poll). So the statement ``alerts_open_for`` makes (visible_to included) is built once
# per kind of user (sees every record or not; in a team or not) and database, for a
# stand-in user and time, which are swapped for the user's own when it runs. It holds no
# user's data: only the SQL text and the stand-ins' places.
_STAND_IN_USER = -220_001
_STAND_IN_TEAM = -220_002
_STAND_IN_NOW = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)
_ids_statements: dict[tuple[str, bool, bool], tuple[str, tuple[Any, ...]]] = {}


def alerts_open_ids(user: User, *, now: dt.datetime | None = None) -> list[int]:
    """The ids of the first 20 of ``alerts_open_for(user)``, by its own statement."""
    shape = (connection.vendor, sees_all_records(user), bool(user.team_id))
    statement = _ids_statements.get(shape)
    if statement is None:
        stand_in = User(pk=_STAND_IN_USER, team_id=_STAND_IN_TEAM if shape[2] else None)
        stand_in._sees_all_records = shape[1]
        ids = alerts_open_for(stand_in, now=_STAND_IN_NOW).values_list("pk", flat=True)[:20]
        sql, params = ids.query.sql_with_params()
        if _since_param(_STAND_IN_NOW) not in params or _STAND_IN_USER not in params:
            raise RuntimeError("alerts_open_for's statement lost a stand-in: " + sql)
        statement = _ids_statements[shape] = (sql, tuple(params))
    sql, params = statement
    stand_ins: dict[Any, Any] = {
        _STAND_IN_USER: user.pk,
        _STAND_IN_TEAM: user.team_id,
        _since_param(_STAND_IN_NOW): _since_param(now or timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [stand_ins.get(param, param) for param in params])
        return [pk for (pk,) in cursor.fetchall()]


def _since_param(now: dt.datetime) -> object:
    """The oldest arrival still announced at ``now``, as the statement's parameter holds
    it (the database's own form: text on SQLite)."""
    since = now - dt.timedelta(hours=OPEN_HOURS)
    return connection.ops.adapt_datetimefield_value(since)


def alerts_state(alert_ids: Iterable[int]) -> str:
    """A short token that changes when the open alerts change: a screen polling with the
    token it has gets "nothing new" until then."""
    ids = ",".join(str(pk) for pk in alert_ids)
    return hashlib.blake2s(ids.encode(), digest_size=6).hexdigest()


def alert_greet(*, actor: User | None, alert: Alert) -> bool:
    """Mark the customer greeted, once: False when somebody was quicker."""
    now = timezone.now()
    done = Alert.objects.filter(pk=alert.pk, greeted_at__isnull=True).update(
        greeted_at=now, greeted_by=actor
    )
    if done:
        alert.greeted_at, alert.greeted_by = now, actor
    return bool(done)
