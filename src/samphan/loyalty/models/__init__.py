"""Loyalty points (C15): a ledger of every change to a member's points, the balance kept on
the member, and the programme's rules, versioned.

The ledger is append-only. An order earns a row (``earn``), a refund or a cancellation
takes back what the order earned in another (``reverse``), staff redeem and adjust, and
points expire in rows of their own; a balance is the sum of its member's rows, kept on
``Member.points`` as rows are written (``services.ledger``) and rebuilt from them by
``samphan loyalty-rebuild``. Each row says why it is there (``cause``, the order, the
rules it earned under), so any balance can be explained line by line.
"""

from samphan.loyalty.models.ledger import Member, PointsEntry, PointsEntryQuerySet, TierChange
from samphan.loyalty.models.programme import WEEKDAYS, EarningRule, NightlyRun, Programme
from samphan.loyalty.models.referrals import Referral, ReferralQuerySet
from samphan.loyalty.models.rewards import Reward, Voucher, VoucherQuerySet

__all__ = [
    "WEEKDAYS", "EarningRule", "Member", "NightlyRun", "PointsEntry", "PointsEntryQuerySet",
    "Programme", "Referral", "ReferralQuerySet", "Reward", "TierChange", "Voucher", "VoucherQuerySet",
]  # fmt: skip
