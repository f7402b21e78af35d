"""Referrals: each member's code, a friend linked to the member whose code they came with,
the fraud rules checked at that moment, and the rewards both earn once the friend's first
paid order (of the programme's amount) has stood unrefunded for the programme's days.

A referral moves pending → holding (the order found) → rewarded, or is set aside:
``review`` (staff decide) when a member brings many friends at once, ``rejected`` with
the rule that refused it. The friend's ``Customer.referred_by`` names the member either
way; the programme's record of it is the ``Referral``.
"""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from samphan.loyalty.models import Member, PointsEntry, Programme, Referral
from samphan.loyalty.services.earning import expiry_date, programme_current
from samphan.loyalty.services.ledger import Posting, post
from samphan.loyalty.services.rewards import ALPHABET
from samphan.loyalty.services.telling import Words, members_tell
from samphan.sales.models import Order

CODE_LENGTH = 7
SAME_PERSON_KINDS = (*ContactPoint.PHONE_KINDS, ContactPoint.Kind.EMAIL, ContactPoint.Kind.LINE)
REVIEW_DAYS = 30
OPEN = (Referral.Status.PENDING, Referral.Status.REVIEW, Referral.Status.REJECTED)


def referral_code_of(customer_id: int) -> str:
    """The member's referral code, given now if they have none (a customer with no points
    becomes a member at 0)."""
    kept = Member.objects.filter(customer_id=customer_id).values_list("referral_code", flat=True)
    if code := kept.first():
        return code
    Member.objects.bulk_create([Member(customer_id=customer_id)], ignore_conflicts=True)
    for _attempt in range(5):
        fresh = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                given = Member.objects.filter(
                    customer_id=customer_id, referral_code__isnull=True
                ).update(referral_code=fresh)
        except IntegrityError:  # another member holds it: draw again
            continue
        if given:
            return fresh
        return Member.objects.values_list("referral_code", flat=True).get(pk=customer_id) or ""
    raise RuntimeError("no free referral code")


def referrer_by_code(code: str) -> Customer | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    member = (
        Member.objects.filter(referral_code=code, customer__archived_at__isnull=True)
        .select_related("customer")
        .first()
    )
    return member.customer if member else None


def _address(text: str) -> str:
    return "".join(text.split()).lower()


def _same_person(referrer: Customer, friend: Customer) -> bool:
    theirs = ContactPoint.objects.filter(customer=friend, kind__in=SAME_PERSON_KINDS)
    shared = ContactPoint.objects.filter(
        customer=referrer,
        kind__in=SAME_PERSON_KINDS,
        value__in=theirs.values("value"),
    ).exists()
    address = _address(friend.address)
    return shared or (bool(address) and address == _address(referrer.address))


def _status(programme: Programme, referrer: Customer, friend: Customer, device: str) -> str:
    if _same_person(referrer, friend):
        return Referral.Reason.SELF
    made = Referral.objects.filter(referrer=referrer)
    if device and made.filter(device=device).exists():
        return Referral.Reason.DEVICE
    recent = made.filter(created_at__gte=timezone.now() - dt.timedelta(days=REVIEW_DAYS))
    if programme.referral_review_over and recent.count() >= programme.referral_review_over:
        return Referral.Status.REVIEW
    return Referral.Status.PENDING


def referral_refusal(referrer: Customer | None, friend: Customer) -> str:
    """Why ``friend`` cannot be linked to ``referrer`` at all ("" when they can)."""
    if referrer is None:
        return _("No member has this referral code.")
    if referrer.pk == friend.pk:
        return _("A member cannot refer themselves.")
    if friend.referred_by_id and friend.referred_by_id != referrer.pk:
        return _("This customer was already referred by another member.")
    found = Referral.objects.filter(referred=friend).first()
    if found is not None and found.status not in OPEN:
        return _("This customer's referral is already under way.")
    return ""


@transaction.atomic
def referral_link(
    *,
    actor: User | None,
    referrer: Customer | None,
    friend: Customer,
    channel: str,
    code: str = "",
    device: str = "",
) -> Referral:
    """Link ``friend`` to ``referrer`` (ValidationError on ``code`` when it cannot be),
    checking the fraud rules; a friend who already bought enough is held at once."""
    refusal = referral_refusal(referrer, friend)
    if refusal or referrer is None:
        raise ValidationError({"code": refusal})
    programme = programme_current()
    verdict = _status(programme, referrer, friend, device)
    rejected = verdict in Referral.Reason.values
    Referral.objects.filter(referred=friend).delete()  # an open one is decided again
    referral = Referral.objects.create(
        referrer=referrer,
        referred=friend,
        code=code or referral_code_of(referrer.pk),
        channel=channel,
        status=Referral.Status.REJECTED if rejected else verdict,
        reason=verdict if rejected else "",
        device=device,
        decided_at=timezone.now() if rejected else None,
    )
    changes: dict[str, list[object]] = {"referral": [None, referral.status]}
    if friend.referred_by_id != referrer.pk:
        fields: dict[str, object] = {"referred_by_id": referrer.pk}
        if not friend.source or channel == Referral.Channel.SIGN_UP:  # not "website"
            fields["source"] = Customer.Source.REFERRAL
        Customer.objects.filter(pk=friend.pk).update(**fields)
        changes["referred_by"] = [friend.referred_by_id, referrer.pk]
        friend.referred_by_id = referrer.pk
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=friend,
        customer_id=friend.pk,
        changes=changes,
    )
    referrals_hold([friend.pk])
    referral.refresh_from_db()
    return referral


def _first_qualifying(programme: Programme, friend_ids: list[int]) -> dict[int, Order]:
    orders = Order.objects.filter(
        status=Order.Status.PAID,
        customer_id__in=friend_ids,
        total__gte=programme.referral_min_order,
    )
    first: dict[int, Order] = {}
    for order in orders.order_by("customer_id", "ordered_at", "id"):
        first.setdefault(order.customer_id, order)
    return first


def referrals_hold(friend_ids: Iterable[int]) -> int:
    """Pending referrals of these customers whose first paid order of the programme's
    amount is in: held until it has stood the programme's days. Returns how many."""
    pending = list(
        Referral.objects.filter(referred_id__in=list(friend_ids), status=Referral.Status.PENDING)
    )
    if not pending:
        return 0
    programme = programme_current()
    orders = _first_qualifying(programme, [r.referred_id for r in pending])
    held = []
    for referral in pending:
        order = orders.get(referral.referred_id)
        if order is None:
            continue
        referral.order = order
        referral.status = Referral.Status.HOLDING
        day = timezone.localtime(order.ordered_at).date()
        referral.qualifies_on = day + dt.timedelta(days=programme.referral_hold_days)
        held.append(referral)
    Referral.objects.bulk_update(held, ["order", "status", "qualifies_on"])
    return len(held)


def _month_start(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time()))


def referrals_reward(today: dt.date) -> int:
    """Reward both sides of every referral whose order has stood long enough; one whose
    order was refunded or fell under the amount waits for another order. Returns how
    many were rewarded. Idempotent: each side's row has its own key."""
    programme = programme_current()
    due = list(
        Referral.objects.filter(status=Referral.Status.HOLDING, qualifies_on__lte=today)
        .select_related("order")
        .order_by("id")
    )
    postings: list[Posting] = []
    rewarded: list[Referral] = []
    month = _month_start(today)
    expires_on = expiry_date(programme, today)
    counts: dict[int, int] = {}
    for referral in due:
        order = referral.order
        if (
            order is None
            or order.status != Order.Status.PAID
            or order.total < programme.referral_min_order
        ):
            Referral.objects.filter(pk=referral.pk).update(
                status=Referral.Status.PENDING, order=None, qualifies_on=None
            )
            continue
        if referral.referrer_id not in counts:
            counts[referral.referrer_id] = Referral.objects.filter(
                referrer_id=referral.referrer_id,
                status=Referral.Status.REWARDED,
                decided_at__gte=month,
            ).count()
        if counts[referral.referrer_id] >= programme.referral_limit_month:
            Referral.objects.filter(pk=referral.pk).update(
                status=Referral.Status.REJECTED,
                reason=Referral.Reason.LIMIT,
                decided_at=timezone.now(),
            )
            continue
        counts[referral.referrer_id] += 1
        for customer_id, points, side in (
            (referral.referrer_id, programme.referrer_points, "referrer"),
            (referral.referred_id, programme.referred_points, "friend"),
        ):
            postings.append(
                Posting(
                    customer_id=customer_id,
                    kind=PointsEntry.Kind.EARN,
                    cause=PointsEntry.Cause.REFERRAL,
                    points=points,
                    key=f"referral:{referral.pk}:{side}",
                    expires_on=expires_on,  # like an order's points, from today
                )
            )
        rewarded.append(referral)
    if not rewarded:
        return 0
    with transaction.atomic():
        post(postings)
        Referral.objects.filter(pk__in=[r.pk for r in rewarded]).update(
            status=Referral.Status.REWARDED, decided_at=timezone.now()
        )
    _tell(rewarded, programme)
    return len(rewarded)


def _tell(rewarded: list[Referral], programme: Programme) -> None:
    """One message to each member rewarded, with all their referral points of the run."""
    points: dict[int, int] = {}
    keys: dict[int, str] = {}
    for r in rewarded:
        for pk, given in ((r.referrer_id, programme.referrer_points),
                          (r.referred_id, programme.referred_points)):  # fmt: skip
            points[pk] = points.get(pk, 0) + given
            keys[pk] = f"referral-reward-{pk}-{r.pk}"  # the run's last referral of theirs

    def write(pk: int, shop: str) -> Words:
        return Words(
            subject=_("Points for a referral at %(shop)s") % {"shop": shop},
            text=_("%(shop)s: thank you for your referral. %(points)s points were added "
                   "to your membership.") % {"shop": shop, "points": f"{points[pk]:,}"},
        )  # fmt: skip

    members_tell(keys, write)


@transaction.atomic
def referral_decide(*, actor: User | None, referral: Referral, approve: bool) -> Referral:
    """Staff decide a referral set aside for review (or reverse a rule's refusal)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (Referral.Status.REVIEW, Referral.Status.REJECTED):
        raise ValidationError({"status": _("Only a referral waiting for review is decided.")})
    before = referral.status
    if approve:
        referral.status, referral.reason, referral.decided_at = Referral.Status.PENDING, "", None
    else:
        referral.status, referral.reason = Referral.Status.REJECTED, Referral.Reason.STAFF
        referral.decided_at = timezone.now()
    referral.decided_by = actor if getattr(actor, "pk", None) else None
    referral.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=referral,
        customer_id=referral.referred_id,
        changes={"status": [before, referral.status]},
    )
    if approve:
        referrals_hold([referral.referred_id])
        referral.refresh_from_db()
    return referral


def referral_tree(customer_id: int, depth: int = 3) -> list[tuple[int, Referral]]:
    """The friends this member brought, and theirs, to ``depth`` levels: (level, referral)
    in the order a tree is read. One query a level."""
    by_parent: dict[int, list[Referral]] = {}
    parents = [customer_id]
    seen = {customer_id}
    for _level in range(depth):
        found = list(
            Referral.objects.filter(referrer_id__in=parents)
            .select_related("referred")
            .order_by("created_at", "id")
        )
        for referral in found:
            by_parent.setdefault(referral.referrer_id, []).append(referral)
        parents = [r.referred_id for r in found if r.referred_id not in seen]
        seen.update(parents)
        if not parents:
            break
    tree: list[tuple[int, Referral]] = []

    def walk(parent: int, level: int) -> None:
        for referral in by_parent.get(parent, []):
            tree.append((level, referral))
            if level + 1 < depth:
                walk(referral.referred_id, level + 1)

    walk(customer_id, 0)
    return tree
