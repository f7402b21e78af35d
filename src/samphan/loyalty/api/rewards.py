"""/api/v1/loyalty/rewards, a member's redemptions and the vouchers: redeemed once per
``Idempotency-Key``, used once, cancelled with the points given back."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Schema, Status
from pydantic import ConfigDict, StrictInt

from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, page_of
from samphan.core.audit import audit_record
from samphan.core.http import Request
from samphan.core.models import AuditEvent
from samphan.core.permissions import record_for_user, require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.loyalty.api.common import _decimal, _required, router
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.services import rewards as reward_services
from samphan.sales.models import Order


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
    points: StrictInt | None = Field(None, ge=1, le=1_000_000)
    cash: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    stock: StrictInt | None = Field(None, ge=0, le=2_147_483_647)
    per_member: StrictInt | None = Field(None, ge=0, le=32_767)
    min_tier: Annotated[str, OneOf(Customer.Tier.values, blank=True)] | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    voucher_days: StrictInt | None = Field(None, ge=1, le=3650)
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
