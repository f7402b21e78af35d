"""/api/v1/frontdesk: check a customer in, the arrival alerts to greet, who is expected
today; /api/v1/alert-rules: which arrivals are announced, to whom. Follows the caller's
visibility and permissions, as the screens do."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team
from samphan.analytics.cadence import cadence_of
from samphan.analytics.regulars import regulars_page
from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer, Tag
from samphan.customers.seen import seen, seen_many
from samphan.frontdesk import services
from samphan.frontdesk.access import alert_for_user, alert_rule_for_user
from samphan.frontdesk.models import Alert, AlertRule

router = Router(tags=["front desk"])


def _photo_url(request: Request, customer: Customer) -> str | None:
    return request.build_absolute_uri(customer.photo.url) if customer.photo else None


class CheckInIn(Schema):
    """Exactly one of: a phone number (any form, or its last four digits or more), a
    member number, the text of a member card's QR code, or a customer id."""

    model_config = ConfigDict(extra="forbid")
    phone: Annotated[str, MaxChars(30)] | None = None
    member_number: Annotated[str, MaxChars(30)] | None = None
    card: Annotated[str, MaxChars(300)] | None = Field(
        None, description="the member card's QR code, as scanned"
    )
    customer_id: Id | None = None


class AlertOut(Schema):
    id: int
    customer_id: int
    name: str
    greeting: str
    photo_url: str | None
    is_vip: bool
    tier: str
    reasons: list[str]
    arrived_at: dt.datetime
    greeted_at: dt.datetime | None


class CheckInOut(Schema):
    customer_id: int
    name: str
    greeting: str
    member_number: str | None
    photo_url: str | None
    is_vip: bool
    tier: str
    birthday_today: bool
    visit_id: int
    checked_in_at: dt.datetime
    how: str = Field(description="phone, card, member, name or picked")
    previous_visit_at: dt.datetime | None
    last_purchase_at: dt.datetime | None
    alert: AlertOut | None


class CandidatesOut(Schema):
    detail: str
    candidates: list[dict[str, Any]]


def _alert_out(request: Request, alert: Alert) -> dict[str, Any]:
    customer = alert.customer
    return {
        "id": alert.pk,
        "customer_id": customer.pk,
        "name": customer.display_name,
        "greeting": customer.greeting,
        "photo_url": _photo_url(request, customer),
        "is_vip": customer.is_vip,
        "tier": customer.tier,
        "reasons": alert.reasons,
        "arrived_at": alert.arrived_at,
        "greeted_at": alert.greeted_at,
    }


@router.post(
    "/frontdesk/check-ins",
    response={201: CheckInOut, **ERRORS, 409: CandidatesOut},
)
def check_in(request: Request, payload: CheckInIn) -> Any:
    """Check a customer in: a visit on their timeline, and an arrival alert when a rule
    matches. Several matches answer 409 with the candidates (check one in by id); none
    answers 404."""
    require_perm(request.user, "frontdesk.use_desk")
    given = {name: value for name, value in payload.dict().items() if value not in (None, "")}
    if len(given) != 1:
        raise ValidationError(
            {"phone": _("Give exactly one of phone, member_number, card or customer_id.")}
        )
    ((field, value),) = given.items()
    if field == "customer_id":
        arrival = services.check_in_picked(request.user, value)
        method = str(services.Method.PICKED)
    else:
        lookup = services.check_in_lookup(request.user, str(value))
        found = lookup.found
        if found.error:
            raise ValidationError({field: found.error})
        if not found.customers:
            return Status(404, {"detail": _("No customer matches.")})
        if lookup.arrival is None:
            seen_many(request.user, [c.pk for c in found.customers], "api")
            candidates = [
                {"customer_id": c.pk, "name": c.display_name, "member_number": c.member_number}
                for c in found.customers
            ]
            return Status(409, {"detail": _("Several customers match."), "candidates": candidates})
        arrival, method = lookup.arrival, found.method
    customer = arrival.customer
    seen(request.user, customer.pk, "api")
    return Status(
        201,
        {
            "customer_id": customer.pk,
            "name": customer.display_name,
            "greeting": customer.greeting,
            "member_number": customer.member_number,
            "photo_url": _photo_url(request, customer),
            "is_vip": customer.is_vip,
            "tier": customer.tier,
            "birthday_today": services.is_birthday(customer.birthday, timezone.localdate()),
            "visit_id": arrival.visit.pk,
            "checked_in_at": arrival.visit.occurred_at,
            "how": method,
            "previous_visit_at": arrival.previous_visit_at,
            "last_purchase_at": arrival.last_purchase_at,
            "alert": _alert_out(request, arrival.alert) if arrival.alert else None,
        },
    )


class AlertsOut(Schema):
    state: str = Field(description="changes whenever the list does")
    items: list[AlertOut]


@router.get("/frontdesk/alerts", response={200: AlertsOut, **ERRORS})
def alerts(request: Request) -> Any:
    """The arrivals this user should greet and nobody has yet, newest first (20 at most)."""
    require_perm(request.user, "customers.view_customer")
    found = list(services.alerts_open_for(request.user)[:20])
    return {
        "state": services.alerts_state(alert.pk for alert in found),
        "items": [_alert_out(request, alert) for alert in found],
    }


@router.post("/frontdesk/alerts/{alert_id}/greeted", response={200: AlertOut, **ERRORS})
def alert_greeted(request: Request, alert_id: Id) -> Any:
    """Mark an arrival greeted; 409 when somebody already did."""
    alert = alert_for_user(request.user, alert_id, perm="customers.view_customer")
    if not services.alert_greet(actor=request.user, alert=alert):
        return Status(409, {"detail": _("This customer was already greeted.")})
    return _alert_out(request, alert)


class ExpectedParams(Schema):
    model_config = ConfigDict(extra="forbid")
    vip: bool = False
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


class ExpectedOut(Schema):
    customer_id: int
    name: str
    greeting: str
    photo_url: str | None
    is_vip: bool
    likelihood: float = Field(description="share of their days on today's weekday")
    days: int
    last_day: dt.date
    mean_interval: float | None
    usual_weekdays: list[int] = Field(description="Monday = 0")


@router.get("/frontdesk/expected-today", response={200: list[ExpectedOut], **ERRORS})
def expected_today(request: Request, params: Query[ExpectedParams]) -> Any:
    """Regulars likely to come today, most likely first; ``vip=true`` for VIPs only."""
    require_perm(request.user, "customers.view_customer")
    today = timezone.localdate()
    found = regulars_page(
        request.user, "expected", today, vip=params.vip, number=params.page,
        per_page=params.page_size,
    )  # fmt: skip
    if params.page > found.page.paginator.num_pages:
        return []
    items = []
    for row in found.rows:
        cadence = cadence_of(row, today)
        customer = row.customer
        items.append(
            {
                "customer_id": customer.pk,
                "name": customer.display_name,
                "greeting": customer.greeting,
                "photo_url": _photo_url(request, customer),
                "is_vip": customer.is_vip,
                # The "expected" list's query annotates it; the model has no such field.
                "likelihood": round(float(row.likelihood), 4),  # type: ignore[attr-defined]
                "days": row.days,
                "last_day": row.last_day,
                "mean_interval": cadence.mean_interval,
                "usual_weekdays": list(cadence.usual_weekdays),
            }
        )
    return items


# -- Alert rules ------------------------------------------------------------------------------

MANAGE_RULES = "frontdesk.change_alertrule"  # as the rules page


class AlertRuleOut(Schema):
    id: int
    name: str
    kind: str = Field(description="tier, vip, tag, top or birthday")
    tier: str = Field(description="for a tier rule: this tier or higher")
    tag_id: int | None
    tag_name: str | None
    top: int | None = Field(description="for a top-customers rule: how many")
    audience: str = Field(description="everyone, team or owner")
    team_id: int | None
    team_name: str | None
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_tag_name(rule: AlertRule) -> str | None:
        return rule.tag.name if rule.tag else None

    @staticmethod
    def resolve_team_name(rule: AlertRule) -> str | None:
        return rule.team.name if rule.team else None


class AlertRulePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[AlertRuleOut]


class AlertRuleParams(Schema):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


RuleName = Annotated[str, MaxChars(100)]
RuleKind = Annotated[str, OneOf(AlertRule.Kind.values)]


class AlertRulePatch(Schema):
    """The fields to change; ``null`` clears ``tag_id``, ``team_id`` and ``top``."""

    model_config = ConfigDict(extra="forbid")
    name: RuleName | None = None
    kind: RuleKind | None = None
    tier: Annotated[str, OneOf(Customer.Tier.values, blank=True)] | None = None
    tag_id: Id | None = None
    top: int | None = Field(None, ge=1, le=1_000_000)
    audience: Annotated[str, OneOf(AlertRule.Audience.values)] | None = None
    team_id: Id | None = None
    is_active: bool | None = None


class AlertRuleIn(AlertRulePatch):
    name: RuleName = Field(min_length=1)
    kind: RuleKind


REQUIRED = ("name", "kind", "tier", "audience", "is_active")  # never null
LINKED: dict[str, tuple[str, type[Tag] | type[Team]]] = {
    "tag_id": ("tag", Tag),
    "team_id": ("team", Team),
}


def _rule_fields(payload: AlertRulePatch) -> dict[str, Any]:
    """The payload as the service's fields: ids resolved to their records, a refused
    ``null`` or an unknown id as a ValidationError naming the field."""
    fields: dict[str, Any] = {}
    for name, value in payload.model_dump(exclude_unset=True).items():
        if name in LINKED:
            field, model = LINKED[name]
            found = model.objects.filter(pk=value).first() if value is not None else None
            if value is not None and found is None:
                raise ValidationError({name: _("Nothing with this id.")})
            fields[field] = found
        elif value is None and name in REQUIRED:
            raise ValidationError({name: _("This field cannot be empty.")})
        else:
            fields[name] = value
    return fields


def _named_for_api(error: ValidationError) -> ValidationError:
    """The model says ``tag`` and ``team``; the API's fields are ``tag_id`` and ``team_id``."""
    if not hasattr(error, "error_dict"):
        return error
    api_name = {field: name for name, (field, _model) in LINKED.items()}
    return ValidationError(
        {api_name.get(field, field): messages for field, messages in error.message_dict.items()}
    )


@router.get("/alert-rules", response={200: AlertRulePage, **ERRORS}, tags=["alert rules"])
def alert_rule_list(request: Request, params: Query[AlertRuleParams]) -> Any:
    """The alert rules by name."""
    require_perm(request.user, MANAGE_RULES)
    rules = AlertRule.objects.select_related("tag", "team").order_by("name", "id")
    return page_of(rules, params.page, params.page_size)


@router.get("/alert-rules/{rule_id}", response={200: AlertRuleOut, **ERRORS}, tags=["alert rules"])
def alert_rule_get(request: Request, rule_id: Id) -> Any:
    return alert_rule_for_user(request.user, rule_id, perm=MANAGE_RULES)


@router.post("/alert-rules", response={201: AlertRuleOut, **ERRORS}, tags=["alert rules"])
def alert_rule_create(request: Request, payload: AlertRuleIn) -> Any:
    """A new rule: ``tier`` for a tier rule, ``tag_id`` for a tag rule, ``top`` for a
    top-customers rule, ``team_id`` when a team sees it; 422 naming what is missing."""
    require_perm(request.user, MANAGE_RULES)
    require_perm(request.user, "frontdesk.add_alertrule")
    try:
        rule = services.alert_rule_create(actor=request.user, fields=_rule_fields(payload))
    except ValidationError as error:
        raise _named_for_api(error) from error
    return Status(201, alert_rule_for_user(request.user, rule.pk))


@router.patch(
    "/alert-rules/{rule_id}", response={200: AlertRuleOut, **ERRORS}, tags=["alert rules"]
)
def alert_rule_update(request: Request, rule_id: Id, payload: AlertRulePatch) -> Any:
    """Change the fields sent; ``is_active: false`` pauses a rule."""
    rule = alert_rule_for_user(request.user, rule_id, perm=MANAGE_RULES)
    try:
        services.alert_rule_update(actor=request.user, rule=rule, fields=_rule_fields(payload))
    except ValidationError as error:
        raise _named_for_api(error) from error
    return alert_rule_for_user(request.user, rule_id)


@router.delete("/alert-rules/{rule_id}", response={204: None, **ERRORS}, tags=["alert rules"])
def alert_rule_delete(request: Request, rule_id: Id) -> Any:
    """The alerts it raised stay."""
    rule = alert_rule_for_user(request.user, rule_id, perm="frontdesk.delete_alertrule")
    services.alert_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)
