"""/api/v1/loyalty/programme and /api/v1/loyalty/rules: the programme in force and the
earning rules, each change a new version."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict, StrictInt

from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import record_for_user, require_perm
from samphan.customers.models import Customer
from samphan.loyalty import services
from samphan.loyalty.api.common import _decimal, _required, router
from samphan.loyalty.models import EarningRule, Programme
from samphan.loyalty.services.rules import PROGRAMME_FIELDS, programme_save, rule_save
from samphan.sales.models import Category, Order, Product

PROGRAMME_NEVER_NULL = tuple(name for name in PROGRAMME_FIELDS if name != "max_points_per_order")


class ProgrammeOut(Schema):
    id: int | None = Field(description="null until the programme is first saved")
    baht_per_point: str = Field(description="a point for every this many baht of net spend")
    max_points_per_order: int | None = Field(description="null: no cap (bonuses count)")
    expiry: str = Field(description="never, months or year_end")
    expiry_months: int = Field(description="with expiry months: how many after earning")
    remind_days: int = Field(description="members are told this many days before; 0: never")
    tiers_by: str = Field(description="staff, spend or points (in the window)")
    tier_window_months: int
    tier_review: str = Field(description="monthly, quarterly or yearly")
    tier_grace_days: int
    silver_from: str
    gold_from: str
    platinum_from: str
    silver_multiplier: str
    gold_multiplier: str
    platinum_multiplier: str
    point_value: str = Field(description="baht a point is worth (liability, reward cost)")
    referrer_points: int = Field(description="points for the member who refers")
    referred_points: int = Field(description="points for the friend referred")
    referral_min_order: str = Field(description="the friend's first paid order of at least")
    referral_hold_days: int = Field(description="days that order must stand unrefunded")
    referral_limit_month: int = Field(description="rewarded referrals per member a month")
    referral_review_over: int = Field(description="staff review past this many in 30 days")
    created_at: dt.datetime | None

    @staticmethod
    def resolve_baht_per_point(programme: Programme) -> str | None:
        return _decimal(programme.baht_per_point)

    @staticmethod
    def resolve_silver_from(programme: Programme) -> str | None:
        return _decimal(programme.silver_from)

    @staticmethod
    def resolve_gold_from(programme: Programme) -> str | None:
        return _decimal(programme.gold_from)

    @staticmethod
    def resolve_platinum_from(programme: Programme) -> str | None:
        return _decimal(programme.platinum_from)

    @staticmethod
    def resolve_silver_multiplier(programme: Programme) -> str | None:
        return _decimal(programme.silver_multiplier)

    @staticmethod
    def resolve_gold_multiplier(programme: Programme) -> str | None:
        return _decimal(programme.gold_multiplier)

    @staticmethod
    def resolve_platinum_multiplier(programme: Programme) -> str | None:
        return _decimal(programme.platinum_multiplier)

    @staticmethod
    def resolve_point_value(programme: Programme) -> str:
        return str(Decimal(programme.point_value).quantize(Decimal("0.0001")))

    @staticmethod
    def resolve_referral_min_order(programme: Programme) -> str | None:
        return _decimal(programme.referral_min_order)

    @staticmethod
    def resolve_created_at(programme: Programme) -> dt.datetime | None:
        return programme.created_at if programme.pk else None


class ProgrammeIn(Schema):
    """The settings to change; those left out stay. ``max_points_per_order: null`` lifts
    the cap."""

    model_config = ConfigDict(extra="forbid")
    baht_per_point: Decimal | None = Field(None, max_digits=10, decimal_places=2)
    max_points_per_order: StrictInt | None = None
    expiry: Annotated[str, OneOf(Programme.Expiry.values)] | None = None
    expiry_months: StrictInt | None = None
    remind_days: StrictInt | None = None
    tiers_by: Annotated[str, OneOf(Programme.TiersBy.values)] | None = None
    tier_window_months: StrictInt | None = None
    tier_review: Annotated[str, OneOf(Programme.Review.values)] | None = None
    tier_grace_days: StrictInt | None = None
    silver_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    gold_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    platinum_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    silver_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    gold_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    platinum_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    point_value: Decimal | None = Field(None, max_digits=8, decimal_places=4)
    referrer_points: StrictInt | None = None
    referred_points: StrictInt | None = None
    referral_min_order: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    referral_hold_days: StrictInt | None = None
    referral_limit_month: StrictInt | None = None
    referral_review_over: StrictInt | None = None


@router.get("/loyalty/programme", response={200: ProgrammeOut, **ERRORS})
def programme_detail(request: Request) -> Any:
    """The version in force (before anyone saves one: the defaults, ``id`` null)."""
    require_perm(request.user, "loyalty.view_pointsentry")
    return services.programme_current()


@router.put("/loyalty/programme", response={200: ProgrammeOut, **ERRORS})
def programme_change(request: Request, payload: ProgrammeIn) -> Any:
    """Change the settings sent: a new version when something changed, else the one in
    force. Orders already earned keep the version they earned under."""
    require_perm(request.user, "loyalty.add_programme")
    fields = _required(
        payload.model_dump(exclude_unset=True),
        PROGRAMME_NEVER_NULL,
    )
    return programme_save(actor=request.user, fields=fields)


class RuleOut(Schema):
    id: int
    name: str
    multiplier: str = Field(description="2.00 gives double points")
    bonus_points: int = Field(description="added once to each order that qualifies")
    channel: str = Field(description="an order channel; empty: any")
    tier: str = Field(description="a customer tier; empty: any")
    product_id: int | None
    category_id: int | None
    weekdays: int = Field(description="days in Bangkok, Monday 1 … Sunday 64, added; 0: any")
    birthday_month: bool
    first_purchase: bool
    min_spend: str | None = Field(description="an order of at least this many baht")
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_active: bool
    replaced_by_id: int | None = Field(description="the newer version; null: in force")
    created_at: dt.datetime

    @staticmethod
    def resolve_multiplier(rule: EarningRule) -> str | None:
        return _decimal(rule.multiplier)

    @staticmethod
    def resolve_min_spend(rule: EarningRule) -> str | None:
        return _decimal(rule.min_spend)


class RulePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[RuleOut]


class RuleParams(Schema):
    current: bool = Field(True, description="false: every version, replaced ones too")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class RulePatch(Schema):
    """The fields to change; those left out stay. ``null`` clears ``product_id``,
    ``category_id``, ``min_spend``, ``starts_on`` and ``ends_on``."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, MaxChars(100)] | None = Field(None, min_length=1)
    multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    bonus_points: StrictInt | None = None
    channel: Annotated[str, OneOf(Order.Channel.values, blank=True)] | None = None
    tier: Annotated[str, OneOf(Customer.Tier.values, blank=True)] | None = None
    product_id: Id | None = None
    category_id: Id | None = None
    weekdays: int | None = Field(
        None, ge=0, le=127, description="Monday 1, Tuesday 2 … Sunday 64, added; 0: any day"
    )
    birthday_month: bool | None = None
    first_purchase: bool | None = None
    min_spend: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    is_active: bool | None = None


class RuleIn(RulePatch):
    name: Annotated[str, MaxChars(100)] = Field(min_length=1)


RULE_NEVER_NULL = (
    "name", "multiplier", "bonus_points", "channel", "tier", "weekdays", "birthday_month",
    "first_purchase", "is_active",
)  # fmt: skip
RULE_LINKS: dict[str, tuple[str, type[Product] | type[Category]]] = {
    "product_id": ("product", Product),
    "category_id": ("category", Category),
}


def _rule_fields(payload: RulePatch) -> dict[str, Any]:
    """The payload as the service's fields: ids resolved to their records, a refused
    ``null`` or an unknown id a ValidationError naming the field."""
    fields = _required(payload.model_dump(exclude_unset=True), RULE_NEVER_NULL)
    for name, (field, model) in RULE_LINKS.items():
        if name not in fields:
            continue
        pk = fields.pop(name)
        found = model.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and found is None:
            raise ValidationError({name: _("Nothing with this id.")})
        fields[field] = found
    return fields


def _rule_saved(request: Request, rule: EarningRule | None, payload: RulePatch) -> EarningRule:
    try:
        return rule_save(actor=request.user, rule=rule, fields=_rule_fields(payload))
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        api_name = {field: name for name, (field, _model) in RULE_LINKS.items()}
        raise ValidationError(
            {api_name.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from error


@router.get("/loyalty/rules", response={200: RulePage, **ERRORS})
def rule_list(request: Request, params: Query[RuleParams]) -> Any:
    """The earning rules in force, the newest first (``current=false``: every version)."""
    require_perm(request.user, "loyalty.view_earningrule")
    rules = EarningRule.objects.order_by("-id")
    if params.current:
        rules = rules.filter(replaced_by=None)
    return page_of(rules, params.page, params.page_size)


@router.get("/loyalty/rules/{earning_rule_id}", response={200: RuleOut, **ERRORS})
def rule_detail(request: Request, earning_rule_id: Id) -> Any:
    """A rule, of any version."""
    return record_for_user(
        EarningRule.objects.all(), request.user, earning_rule_id, perm="loyalty.view_earningrule"
    )


@router.post("/loyalty/rules", response={201: RuleOut, **ERRORS})
def rule_create(request: Request, payload: RuleIn) -> Any:
    """A new rule: a multiplier above 1 or bonus points, for the orders that meet every
    condition given (one left out is any)."""
    require_perm(request.user, "loyalty.add_earningrule")
    return Status(201, _rule_saved(request, None, payload))


@router.put("/loyalty/rules/{earning_rule_id}", response={200: RuleOut, **ERRORS})
def rule_change(request: Request, earning_rule_id: Id, payload: RulePatch) -> Any:
    """Change the fields sent of the version in force: the new version (a new ``id``; the
    old one is closed) when something changed, else the same. ``is_active: false`` pauses
    a rule. A version since replaced is a 422: change its newest."""
    rule = record_for_user(
        EarningRule.objects.all(), request.user, earning_rule_id, perm="loyalty.change_earningrule"
    )
    return _rule_saved(request, rule, payload)


# -- Rewards and their vouchers ---------------------------------------------------------------
#
# /api/v1/loyalty/rewards: what members redeem points for, listed, added and changed.
# /api/v1/customers/{id}/rewards/{id}/redeem: points (and baht) into a voucher, once per
# ``Idempotency-Key``; /api/v1/vouchers/{code}: a voucher read, used once or cancelled (the
# points come back). A voucher is seen, used and cancelled only with its customer.
