"""The demo's rewards, a small catalogue a café-and-shop would offer, and its referrals: members who brought friends, as the programme's rules take them
(linked through the same service as a sign-up, so the fraud rules and the rewards apply):
most friends bought and both sides are rewarded, some have not bought yet, and one
member brought so many at once that the last wait for staff review."""

import random

from django.utils import timezone

from samphan.customers.models import Customer
from samphan.loyalty.models import Referral, Reward
from samphan.loyalty.services.referrals import referral_link, referrals_reward

FRIENDS = 60
BUSY_REFERRER_FRIENDS = 7  # past the default review threshold of 5 in 30 days


REWARDS = [  # name, English name, points, baht, stock, per member, first tier
    ("ลาเต้เย็น 1 แก้ว", "An iced latte", 120, 0, None, None, ""),
    ("ส่วนลด ฿100", "฿100 off", 400, 0, None, 2, ""),
    ("กระเป๋าผ้าลายร้าน", "The shop's tote bag", 600, 0, 40, 1, ""),
    ("ชุดของขวัญพรีเมียม", "A premium gift set", 1500, 199, 10, 1, Customer.Tier.GOLD),
]


def demo_rewards() -> int:
    if Reward.objects.exists():
        return 0
    Reward.objects.bulk_create(
        Reward(
            name=name,
            name_en=name_en,
            points=points,
            cash=cash,
            stock=stock,
            per_member=per_member,
            min_tier=tier,
            voucher_days=30,
        )
        for name, name_en, points, cash, stock, per_member, tier in REWARDS
    )
    return len(REWARDS)


def demo_referrals(*, first_customer_id: int, seed: int) -> int:
    """Link friends to earlier members; returns how many referrals were made."""
    rng = random.Random(f"{seed}-referrals")
    members = list(  # in the order they came: a friend comes after the member
        Customer.objects.filter(pk__gte=first_customer_id, archived_at__isnull=True)
        .exclude(member_number__isnull=True)
        .exclude(member_number="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(members) < 4 * FRIENDS:
        return 0
    early, later = members[: len(members) // 2], members[len(members) // 2 :]
    friends = rng.sample(later, FRIENDS)
    referrers = rng.sample(early, FRIENDS - BUSY_REFERRER_FRIENDS) + [early[0]] * (
        BUSY_REFERRER_FRIENDS - 1
    )
    people = Customer.objects.in_bulk(friends + referrers)
    made = 0
    for referrer, friend in zip(referrers, friends, strict=False):
        referral = referral_link(
            actor=None,
            referrer=people[referrer],
            friend=people[friend],
            channel=rng.choice([Referral.Channel.SIGN_UP, Referral.Channel.STAFF]),
        )
        made += referral.pk is not None
    referrals_reward(timezone.localdate())
    return made
