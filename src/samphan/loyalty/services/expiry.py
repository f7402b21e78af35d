"""Points expire first in first out, and members are told before they do.

Spending takes the points that expire soonest first, so what is left of the points due to
expire by a day is what was earned with an expiry before it less everything spent:

    expiring(day) = max(0, P(day) + U)

where P(day) sums the rows that expire before ``day`` (earnings, and the reversals that
carry their order's date) and U every point taken off for good (redeemed, adjusted down,
expired, less what a cancelled voucher gave back: the rows without a date but those that
add points by hand). Expired rows count in U, so running again expires
nothing more, and a member whose balance went below zero (a refund after spending) has
nothing to expire. One grouped query over the members with points in the window.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.core.templatetags.samphan import thai_date
from samphan.loyalty.models import NightlyRun, PointsEntry
from samphan.loyalty.services.earning import programme_current
from samphan.loyalty.services.ledger import Posting, post
from samphan.loyalty.services.referrals import referrals_reward
from samphan.loyalty.services.telling import Words, members_tell
from samphan.loyalty.services.tiers import tiers_review

# Rows without a date that spend (or give back what was spent: a cancelled voucher);
# points added by hand have no date and never expire, so they are not among them, nor
# are points earned without a date (none are written so; an earlier install's might be).
SPENT = Q(expires_on__isnull=True) & ~Q(
    kind__in=[PointsEntry.Kind.ADJUST, PointsEntry.Kind.EARN], points__gt=0
)


@dataclass(frozen=True)
class Expiring:
    customer_id: int
    points: int
    first_on: dt.date  # the soonest expiry date among them


def expiring(before: dt.date, members: Q, *, today: dt.date | None = None) -> list[Expiring]:
    """For the members with a row matching ``members``: their unspent points that expire
    before ``before``, by member (none listed for a member with nothing to expire), with
    the soonest of their dates from ``today``."""
    due = Q(expires_on__isnull=False, expires_on__lt=before)
    upcoming = due & Q(points__gt=0) & (Q(expires_on__gte=today) if today else Q())
    rows = (
        PointsEntry.objects.filter(
            customer_id__in=PointsEntry.objects.filter(members).values("customer_id")
        )
        .order_by()
        .values("customer_id")
        .annotate(
            due=Sum("points", filter=due, default=0),
            spent=Sum("points", filter=SPENT, default=0),
            first_on=Min("expires_on", filter=upcoming),
        )
        .order_by("customer_id")
    )
    return [
        Expiring(row["customer_id"], row["due"] + row["spent"], row["first_on"])
        for row in rows
        if row["due"] + row["spent"] > 0
    ]


def next_expiry(customer_id: int, today: dt.date) -> Expiring | None:
    """The member's points that expire soonest, and when (the panel and the card)."""
    soonest = (
        PointsEntry.objects.filter(customer_id=customer_id, expires_on__gte=today, points__gt=0)
        .order_by("expires_on")
        .values_list("expires_on", flat=True)
        .first()
    )
    if soonest is None:
        return None
    found = expiring(soonest + dt.timedelta(days=1), Q(customer_id=customer_id), today=today)
    return found[0] if found else None


def points_expire(today: dt.date, *, since: dt.date | None, after_id: int) -> int:
    """Expire what is due before ``today`` for the members who may have some: a row that
    expired since the last run (``since``), or one written since (``after_id``: a
    back-dated import's points may have expired already). Returns how many members."""
    window = Q(expires_on__lt=today) & (
        (Q(expires_on__gte=since) if since else Q()) | Q(pk__gt=after_id)
    )
    found = expiring(today, window)
    post(
        [
            Posting(
                customer_id=item.customer_id,
                kind=PointsEntry.Kind.EXPIRE,
                cause=PointsEntry.Cause.EXPIRY,
                points=-item.points,
                key=f"expire:{item.customer_id}:{today.isoformat()}",
            )
            for item in found
        ]
    )
    return len(found)


def reminders_send(today: dt.date, days: int) -> int:
    """Tell each member whose points expire within ``days`` how many and when, by their
    preferred channel that may carry a service message (once per member and first expiry
    date, whatever the retries); returns how many were queued."""
    if days <= 0:
        return 0
    before = today + dt.timedelta(days=days + 1)
    found = expiring(before, Q(expires_on__gte=today, expires_on__lt=before), today=today)
    by_member = {item.customer_id: item for item in found}

    def write(pk: int, shop: str) -> Words:
        item = by_member[pk]
        values = {"shop": shop, "points": f"{item.points:,}", "day": thai_date(item.first_on)}
        return Words(
            _("Your points expire on %(day)s") % values,
            _("%(shop)s: %(points)s of your points expire on %(day)s. Use them before then.")
            % values,
        )

    keys = {item.customer_id: f"points-expiry-{item.customer_id}-{item.first_on}" for item in found}
    return members_tell(keys, write)


def loyalty_nightly(today: dt.date | None = None) -> NightlyRun | None:
    """The worker's loop: once a day, expire what is due, send the reminders, review tiers.
    The day is claimed first, so a second worker or a second run the same day does
    nothing (None)."""
    today = today or timezone.localdate()
    NightlyRun.objects.get_or_create(pk=1)
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().get(pk=1)
        if run.ran_on is not None and run.ran_on >= today:
            return None
        since, after_id = run.ran_on, run.last_entry_id
        run.last_entry_id = PointsEntry.objects.aggregate(top=Max("id"))["top"] or 0
        run.expired = points_expire(today, since=since, after_id=after_id)
        run.ran_on = today
        programme = programme_current()
        run.reminded = reminders_send(today, programme.remind_days)
        run.upgraded, run.downgraded = tiers_review(programme, today)
        referrals_reward(today)
        run.save()
    return run
