"""Rewards: redeemed for points (and baht) into a voucher with a code, used once at the
counter or in an order before it expires, or cancelled (the points come back).

A redemption locks the member's row (two at once cannot spend the same points) and the
reward's (the last one in stock goes once), checks the offer, the tier, the per-member
limit and the balance, and writes the ledger row, the voucher and the audit in one
transaction. The same idempotency key posts once.
"""

import datetime as dt
import secrets

import segno
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.core.templatetags.samphan import thai_date
from samphan.customers.models import Customer
from samphan.loyalty.models import PointsEntry, Reward, Voucher
from samphan.loyalty.services.changes import member_locked
from samphan.loyalty.services.ledger import balances_add
from samphan.loyalty.services.tiers import RANK
from samphan.sales.models import Order

# Letters and digits that cannot be misread for each other (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def voucher_code() -> str:
    return "V" + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def offers(customer: Customer, points: int, today: dt.date) -> list[tuple[Reward, str]]:
    """Each reward offered now and why this member cannot have it ("" when they can): two
    queries however many rewards (the panel's list)."""
    rewards = list(Reward.objects.filter(is_active=True).order_by("points", "name"))
    taken = dict(
        Voucher.objects.filter(customer=customer)
        .exclude(status=Voucher.Status.CANCELLED)
        .order_by()
        .values("reward_id")
        .annotate(n=Count("id"))
        .values_list("reward_id", "n")
    )
    return [
        (reward, reward_refusal(reward, customer, today, points, taken.get(reward.pk, 0)))
        for reward in rewards
        if not (reward.ends_on and today > reward.ends_on)
    ]


def reward_refusal(
    reward: Reward, customer: Customer, today: dt.date, points: int, taken: int | None = None
) -> str:
    """Why this member cannot have this reward now ("" when they can); ``taken``, their
    vouchers for it not cancelled, is counted when not given."""
    if (
        not reward.is_active
        or (reward.starts_on and today < reward.starts_on)
        or (reward.ends_on and today > reward.ends_on)
    ):
        return _("This reward is not offered now.")
    if reward.min_tier and RANK.get(customer.tier, 0) < RANK.get(reward.min_tier, 0):
        return _("For %(tier)s members and above.") % {"tier": Customer.Tier(reward.min_tier).label}
    if reward.stock is not None and reward.stock <= 0:
        return _("Out of stock.")
    if reward.per_member is not None:
        if taken is None:
            taken = (
                Voucher.objects.filter(customer=customer, reward=reward)
                .exclude(status=Voucher.Status.CANCELLED)
                .count()
            )
        if taken >= reward.per_member:
            return _("At most %(count)s per member.") % {"count": reward.per_member}
    if points < reward.points:
        return _("Only %(points)s points are available.") % {"points": f"{points:,}"}
    return ""


@transaction.atomic
def reward_redeem(
    *,
    actor: User | None,
    customer: Customer,
    reward: Reward,
    key: str | None = None,
    today: dt.date | None = None,
) -> tuple[Voucher, bool]:
    """Redeem ``reward`` for ``customer``: ``(voucher, created)``; with a ``key`` already
    posted, its voucher and nothing written. ``ValidationError`` on ``reward`` saying why
    not, and nothing written."""
    today = today or timezone.localdate()
    stored_key = f"reward:{key}" if key else None
    if stored_key and not 0 < len(key or "") <= 100:
        raise ValidationError({"key": _("An idempotency key has 1 to 100 characters.")})
    points = member_locked(customer.pk).points
    if stored_key and (done := Voucher.objects.filter(entry__key=stored_key).first()):
        if done.customer_id != customer.pk:
            raise ValidationError({"key": _("This idempotency key was used for another customer.")})
        return done, False
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    refusal = reward_refusal(reward, customer, today, points)
    if refusal:
        raise ValidationError({"reward": refusal})
    entry = PointsEntry.objects.create(
        posted_at=timezone.now(),
        customer=customer,
        kind=PointsEntry.Kind.REDEEM,
        cause=PointsEntry.Cause.REWARD,
        points=-reward.points,
        key=stored_key,
        note=reward.name[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    balances_add({customer.pk: -reward.points})
    if reward.stock is not None:
        reward.stock -= 1
        reward.save(update_fields=["stock"])
    voucher = _voucher(actor, customer, reward, entry, today)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=voucher,
        customer_id=customer.pk,
        changes={"reward": [None, reward.name], "points": [None, -reward.points]},
    )
    return voucher, True


def _voucher(
    actor: User | None, customer: Customer, reward: Reward, entry: PointsEntry, today: dt.date
) -> Voucher:
    for _attempt in range(5):  # 31⁸ codes: a repeat is a once-in-a-lifetime event
        try:
            with transaction.atomic():
                return Voucher.objects.create(
                    code=voucher_code(),
                    customer=customer,
                    entry=entry,
                    reward=reward,
                    points=reward.points,
                    cash=reward.cash,
                    expires_on=today + dt.timedelta(days=reward.voucher_days),
                    issued_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            continue
    raise RuntimeError("no free voucher code after 5 tries")


def voucher_qr_svg(code: str) -> str:
    """The voucher's QR code (it holds the code, which the counter's scanner types in)."""
    return str(segno.make(code, error="m", micro=False).svg_inline(scale=6, border=2))


def voucher_find(code: str) -> Voucher | None:
    return (
        Voucher.objects.filter(code=(code or "").strip().upper())
        .select_related("reward", "customer")
        .first()
    )


@transaction.atomic
def voucher_use(
    *, actor: User | None, code: str, order: Order | None = None, today: dt.date | None = None
) -> Voucher:
    """Use a voucher once (scanned at the counter, or typed into an order); a
    ``ValidationError`` on ``code`` saying why not."""
    today = today or timezone.localdate()
    found = voucher_find(code)
    voucher = Voucher.objects.select_for_update().filter(pk=found.pk).first() if found else None
    if voucher is None:
        raise ValidationError({"code": _("No voucher has this code.")})
    if voucher.status == Voucher.Status.USED:
        used = thai_date(timezone.localtime(voucher.used_at)) if voucher.used_at else ""
        raise ValidationError({"code": _("This voucher was used on %(day)s.") % {"day": used}})
    if voucher.status == Voucher.Status.CANCELLED:
        raise ValidationError({"code": _("This voucher was cancelled.")})
    if voucher.expires_on < today:
        raise ValidationError(
            {"code": _("This voucher expired on %(day)s.") % {"day": thai_date(voucher.expires_on)}}
        )
    if order is not None and order.customer_id != voucher.customer_id:
        raise ValidationError({"code": _("This voucher belongs to another customer.")})
    voucher.status, voucher.used_at, voucher.order = Voucher.Status.USED, timezone.now(), order
    voucher.used_by = actor if getattr(actor, "pk", None) else None
    voucher.save(update_fields=["status", "used_at", "order", "used_by"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=voucher,
        customer_id=voucher.customer_id,
        changes={"status": [Voucher.Status.ISSUED, Voucher.Status.USED]},
    )
    return voucher


@transaction.atomic
def voucher_cancel(*, actor: User | None, voucher: Voucher) -> Voucher:
    """Cancel an unused voucher: its points come back (a ledger row) and so does the stock."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status != Voucher.Status.ISSUED:
        raise ValidationError({"code": _("Only a voucher not yet used can be cancelled.")})
    member_locked(voucher.customer_id)
    PointsEntry.objects.create(
        posted_at=timezone.now(),
        customer_id=voucher.customer_id,
        kind=PointsEntry.Kind.REVERSE,
        cause=PointsEntry.Cause.REWARD,
        points=voucher.points,
        note=voucher.code,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    balances_add({voucher.customer_id: voucher.points})
    Reward.objects.filter(pk=voucher.reward_id, stock__isnull=False).update(stock=F("stock") + 1)
    voucher.status = Voucher.Status.CANCELLED
    voucher.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=voucher,
        customer_id=voucher.customer_id,
        changes={"status": [Voucher.Status.ISSUED, Voucher.Status.CANCELLED]},
    )
    return voucher
