"""The personal-data registry's entries for loyalty: the points ledger, the membership,
its vouchers and tier history (``registry.py`` lists them in its order; kept here because
that module is at the line limit)."""

from django.utils.translation import gettext_lazy as _

from samphan.privacy.registry_types import Basis, Erasure, PersonalData

A = Erasure.ANONYMISE

LOYALTY: tuple[PersonalData, ...] = (
    PersonalData(
        "loyalty.PointsEntry",
        _("Points"),
        _("The membership's points."),
        Basis.CONTRACT,
        "customer",
        {"note": A},
        _("Points are kept; the note is erased."),
        plain=("key", "expires_on", "basis"),
    ),
    PersonalData(
        "loyalty.Member",
        _("Membership"),
        _("The membership's points balance."),
        Basis.CONTRACT,
        "customer",
        {},
        _("Kept: the balance of an anonymous member, with its points."),
        plain=("grace_until", "referral_code"),
    ),
    PersonalData(
        "loyalty.Voucher",
        _("Reward vouchers"),
        _("The rewards the member redeemed and used."),
        Basis.CONTRACT,
        "customer",
        {},
        _("Kept: the vouchers of an anonymous member, with their points."),
        plain=("code", "cash", "status", "issued_at", "expires_on", "used_at"),
    ),
    PersonalData(
        "loyalty.TierChange",
        _("Tier history"),
        _("The membership's tier: when it changed and on what spend."),
        Basis.CONTRACT,
        "customer",
        {},
        _("Kept: the history of an anonymous member."),
        plain=("amount", "at"),
    ),
    PersonalData(
        "loyalty.Referral",
        _("Referral"),
        _("Who referred the member, and the programme's reward for it."),
        Basis.CONTRACT,
        "referred",
        {"device": A},
        _("Kept, for the member who referred; the sign-up's device is erased."),
        plain=("code", "channel", "status", "reason", "qualifies_on", "created_at", "decided_at"),
    ),
)
