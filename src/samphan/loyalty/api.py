"""/api/v1/customers/{id}/points: a member's balance and their ledger, line by line; a
POST redeems or adjusts (a 422 naming the field when it cannot), once per
``Idempotency-Key``: a retry answers 200 with what the first posted.

/api/v1/loyalty/programme and /api/v1/loyalty/rules: the programme's settings and its
earning rules. Both are versioned, never edited in place: a PUT that changes something
saves a new version (a rule's old version is closed, ``replaced_by_id``) and answers with
the version now in force; one that changes nothing answers with the same version."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import ConfigDict

from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, page_of
from samphan.core.audit import audit_record
from samphan.core.http import Request
from samphan.core.models import AuditEvent
from samphan.core.permissions import record_for_user, require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.loyalty import services
from samphan.loyalty.models import EarningRule, PointsEntry, Programme, Reward, Voucher
from samphan.loyalty.services import rewards as reward_services
from samphan.loyalty.services.changes import STAFF_KINDS
from samphan.loyalty.services.rules import PROGRAMME_FIELDS, programme_save, rule_save
from samphan.sales.models import Category, Order, Product

router = Router(tags=["points"])
RECENT = 20


class PointsEntryOut(Schema):
    id: int
    kind: str = Field(description="earn, redeem, expire, adjust or reverse")
    cause: str = Field(description="order, refund, campaign, referral, staff or expiry")
    points: int = Field(description="negative when spent, expired or taken back")
    order_id: int | None
    expires_on: dt.date | None
    basis: dict[str, Any] | None = Field(
        description="how an order's points were counted: per (baht a point), rate, rates "
        "by product id, bonus, cap, the programme and rule versions"
    )
    note: str
    at: dt.datetime


class PointsOut(Schema):
    points: int = Field(description="the balance: the sum of the ledger")
    baht_per_point: str = Field(description="the base rate in force")
    recent: list[PointsEntryOut]


class LedgerPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[PointsEntryOut]


class LedgerParams(Schema):
    kind: Annotated[str, OneOf(PointsEntry.Kind.values, blank=True)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class PointsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf([str(kind) for kind in STAFF_KINDS])]
    points: int = Field(description="redeem: how many to take off (> 0); adjust: + or -")
    note: Annotated[str, MaxChars(200)] = ""


def _points(customer: Customer) -> dict[str, Any]:
    return {
        "points": services.balance_of(customer.pk),
        "baht_per_point": str(services.programme_current().baht_per_point),
        "recent": list(PointsEntry.objects.filter(customer=customer)[:RECENT]),
    }


@router.get("/customers/{customer_id}/points", response={200: PointsOut, **ERRORS})
def points_detail(request: Request, customer_id: Id) -> Any:
    return _points(customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry"))


@router.get("/customers/{customer_id}/points/ledger", response={200: LedgerPage, **ERRORS})
def points_ledger(request: Request, customer_id: Id, params: Query[LedgerParams]) -> Any:
    """Every row of the member's ledger, newest first; ``kind`` narrows it."""
    customer = customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry")
    rows = PointsEntry.objects.filter(customer=customer)
    if params.kind:
        rows = rows.filter(kind=params.kind)
    return page_of(rows, params.page, params.page_size)


@router.post("/customers/{customer_id}/points", response={200: PointsOut, 201: PointsOut, **ERRORS})
def points_change(
    request: Request,
    customer_id: Id,
    payload: PointsIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="loyalty.add_pointsentry")
    try:
        _entry, created = services.points_record(
            actor=request.user, customer=customer, key=idempotency_key, **payload.model_dump()
        )
    except ValidationError as error:
        if "key" in error.message_dict:  # a header, named as such
            raise ValidationError({"Idempotency-Key": error.message_dict["key"]}) from error
        raise
    return Status(201 if created else 200, _points(customer))


# -- The programme and its earning rules ------------------------------------------------------

CENTS = Decimal("0.01")


def _decimal(value: Decimal | None) -> str | None:
    """Two places always: a version just saved holds what was sent ("2"), a version read
    back what the column holds ("2.00"); the API answers the same for both."""
    return None if value is None else str(Decimal(value).quantize(CENTS))


def _required(fields: dict[str, Any], never_null: tuple[str, ...]) -> dict[str, Any]:
    for name in never_null:
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    return fields


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
    def resolve_created_at(programme: Programme) -> dt.datetime | None:
        return programme.created_at if programme.pk else None


class ProgrammeIn(Schema):
    """The settings to change; those left out stay. ``max_points_per_order: null`` lifts
    the cap."""

    model_config = ConfigDict(extra="forbid")
    baht_per_point: Decimal | None = Field(None, max_digits=10, decimal_places=2)
    max_points_per_order: int | None = None
    expiry: Annotated[str, OneOf(Programme.Expiry.values)] | None = None
    expiry_months: int | None = None
    remind_days: int | None = None
    tiers_by: Annotated[str, OneOf(Programme.TiersBy.values)] | None = None
    tier_window_months: int | None = None
    tier_review: Annotated[str, OneOf(Programme.Review.values)] | None = None
    tier_grace_days: int | None = None
    silver_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    gold_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    platinum_from: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    silver_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    gold_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    platinum_multiplier: Decimal | None = Field(None, max_digits=4, decimal_places=2)


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
    bonus_points: int | None = None
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


class RewardOut(Schema):
    id: int
    name: str
    name_en: str
    description: str
    points: int
    cash: str = Field(description="baht paid with the points, at the counter; 0.00: points only")
    stock: int | None = Field(description="null: no limit")
    per_member: int | None = Field(description="null: no limit")
    min_tier: str = Field(description="a customer tier and those above it; empty: any")
    starts_on: dt.date | None
    ends_on: dt.date | None
    voucher_days: int = Field(description="a voucher is valid this many days from its issue")
    is_active: bool

    @staticmethod
    def resolve_cash(reward: Reward) -> str | None:
        return _decimal(reward.cash)


class RewardPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[RewardOut]


class RewardParams(Schema):
    offered: bool = Field(True, description="false: every reward, those not offered too")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class RewardPatch(Schema):
    """The fields to change; those left out stay. ``null`` clears ``stock``,
    ``per_member``, ``starts_on`` and ``ends_on`` (no limit, no date)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, MaxChars(120)] | None = Field(None, min_length=1)
    name_en: Annotated[str, MaxChars(120)] | None = None
    description: Annotated[str, MaxChars(300)] | None = None
    points: int | None = Field(None, ge=1, le=1_000_000)
    cash: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    stock: int | None = Field(None, ge=0, le=2_147_483_647)
    per_member: int | None = Field(None, ge=0, le=32_767)
    min_tier: Annotated[str, OneOf(Customer.Tier.values, blank=True)] | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    voucher_days: int | None = Field(None, ge=1, le=3650)
    is_active: bool | None = None


class RewardIn(RewardPatch):
    name: Annotated[str, MaxChars(120)] = Field(min_length=1)
    points: int = Field(ge=1, le=1_000_000)


REWARD_NEVER_NULL = (
    "name", "name_en", "description", "points", "cash", "min_tier", "voucher_days", "is_active",
)  # fmt: skip


class VoucherOut(Schema):
    id: int
    code: str
    customer_id: int
    reward_id: int
    reward_name: str
    points: int = Field(description="the points it took")
    cash: str = Field(description="baht to pay with it, at the counter")
    status: str = Field(description="issued, used or cancelled")
    issued_at: dt.datetime
    expires_on: dt.date = Field(description="the last day it can be used")
    used_at: dt.datetime | None
    order_id: int | None

    @staticmethod
    def resolve_reward_name(voucher: Voucher) -> str:
        return voucher.reward.name

    @staticmethod
    def resolve_cash(voucher: Voucher) -> str | None:
        return _decimal(voucher.cash)


class VoucherPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[VoucherOut]


class VoucherParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class VoucherUseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    order_id: Id | None = Field(None, description="the order it is used in; null: at the counter")


VoucherCode = Annotated[str, MaxChars(20)]


def _reward_saved(request: Request, reward: Reward, fields: dict[str, Any]) -> Reward:
    """Validate ``reward`` with ``fields`` set as the model does (a ValidationError naming
    the field, nothing written), save it and audit the change."""
    before = {name: getattr(reward, name) for name in fields} if reward.pk else {}
    for name, value in fields.items():
        setattr(reward, name, value)
    reward.full_clean()
    if reward.starts_on and reward.ends_on and reward.ends_on < reward.starts_on:
        raise ValidationError({"ends_on": _("The last day comes before the first.")})
    changed = {
        name: [before.get(name), value]
        for name, value in fields.items()
        if not reward.pk or before.get(name) != value
    }
    if reward.pk and not changed:
        return reward
    created = not reward.pk
    reward.save(update_fields=None if created else list(changed))
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        subject=reward,
        changes={name: [_jsonable(old), _jsonable(new)] for name, (old, new) in changed.items()},
    )
    return reward


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | dt.date) else value


def _voucher_for_user(request: Request, code: str, perm: str) -> Voucher:
    """The voucher with this code if the user may see its customer (else 404), holding
    ``perm`` (else 403, whatever the code)."""
    require_perm(request.user, perm)
    voucher = reward_services.voucher_find(code)
    if voucher is None:
        raise Http404
    customer_for_user(request.user, voucher.customer_id, perm=perm)
    return voucher


@router.get("/loyalty/rewards", response={200: RewardPage, **ERRORS})
def reward_list(request: Request, params: Query[RewardParams]) -> Any:
    """The rewards offered (``offered=false``: every reward), the cheapest first."""
    require_perm(request.user, "loyalty.view_pointsentry")
    rewards = Reward.objects.order_by("points", "name", "id")
    if params.offered:
        rewards = rewards.filter(is_active=True)
    return page_of(rewards, params.page, params.page_size)


@router.post("/loyalty/rewards", response={201: RewardOut, **ERRORS})
def reward_create(request: Request, payload: RewardIn) -> Any:
    require_perm(request.user, "loyalty.add_reward")
    fields = _required(payload.model_dump(exclude_unset=True), REWARD_NEVER_NULL)
    with transaction.atomic():
        return Status(201, _reward_saved(request, Reward(), fields))


@router.patch("/loyalty/rewards/{reward_id}", response={200: RewardOut, **ERRORS})
def reward_change(request: Request, reward_id: Id, payload: RewardPatch) -> Any:
    """Change the fields sent; vouchers already issued keep their points and baht.
    ``is_active: false`` stops offering it."""
    with transaction.atomic():
        reward = record_for_user(
            Reward.objects.all(), request.user, reward_id, perm="loyalty.change_reward",
            for_update=True,
        )  # fmt: skip
        fields = _required(payload.model_dump(exclude_unset=True), REWARD_NEVER_NULL)
        return _reward_saved(request, reward, fields)


@router.post(
    "/customers/{customer_id}/rewards/{reward_id}/redeem",
    response={200: VoucherOut, 201: VoucherOut, **ERRORS},
)
def reward_redeem(
    request: Request,
    customer_id: Id,
    reward_id: Id,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Redeem a reward for the member: 201 with the voucher; the same ``Idempotency-Key``
    again, 200 with the voucher it made. A 422 on ``reward`` says why not (not offered,
    the tier, out of stock, the limit per member, not enough points)."""
    customer = customer_for_user(request.user, customer_id, perm="loyalty.add_pointsentry")
    reward = record_for_user(Reward.objects.all(), request.user, reward_id)
    try:
        voucher, created = reward_services.reward_redeem(
            actor=request.user, customer=customer, reward=reward, key=idempotency_key
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "key" in error.message_dict:  # a header
            raise ValidationError({"Idempotency-Key": error.message_dict["key"]}) from error
        raise
    return Status(201 if created else 200, voucher)


@router.get("/customers/{customer_id}/vouchers", response={200: VoucherPage, **ERRORS})
def customer_vouchers(request: Request, customer_id: Id, params: Query[VoucherParams]) -> Any:
    """The member's vouchers, the newest first, used and cancelled ones too."""
    customer = customer_for_user(request.user, customer_id, perm="loyalty.view_pointsentry")
    vouchers = (
        Voucher.objects.filter(customer=customer)
        .select_related("reward")
        .order_by("-issued_at", "-id")
    )
    return page_of(vouchers, params.page, params.page_size)


@router.get("/vouchers/{code}", response={200: VoucherOut, **ERRORS})
def voucher_detail(request: Request, code: VoucherCode) -> Any:
    """A voucher by its code (as printed or scanned; case and spaces do not matter)."""
    return _voucher_for_user(request, code, "loyalty.view_pointsentry")


@router.post("/vouchers/{code}/use", response={200: VoucherOut, **ERRORS})
def voucher_use(request: Request, code: VoucherCode, payload: VoucherUseIn | None = None) -> Any:
    """Use the voucher, once, before it expires: at the counter, or in one of its
    customer's orders (``order_id``). A 422 on ``code`` says why not."""
    voucher = _voucher_for_user(request, code, "loyalty.add_pointsentry")
    order = None
    if payload is not None and payload.order_id is not None:
        order = Order.objects.visible_to(request.user).filter(pk=payload.order_id).first()
        if order is None:
            raise ValidationError({"order_id": _("Nothing with this id.")})
    return reward_services.voucher_use(actor=request.user, code=voucher.code, order=order)


@router.post("/vouchers/{code}/cancel", response={200: VoucherOut, **ERRORS})
def voucher_cancel(request: Request, code: VoucherCode) -> Any:
    """Cancel a voucher not yet used: its points come back to the member, and the stock."""
    voucher = _voucher_for_user(request, code, "loyalty.add_pointsentry")
    return reward_services.voucher_cancel(actor=request.user, voucher=voucher)
