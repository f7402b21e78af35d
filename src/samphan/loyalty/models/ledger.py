"""The members, the points ledger and the tier history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.sales.models import Order


class Member(models.Model):
    """A customer's membership: the balance, which is the sum of their ledger rows.

    A customer becomes a member with their first points; one with no row has none.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="member"
    )
    points = models.IntegerField(pgettext_lazy("loyalty", "points"), default=0)
    # Set at a review that found the member short of their tier: they keep it until then.
    grace_until = models.DateField(_("keeps the tier until"), null=True, blank=True)
    # Given the first time the member's page or their referral link is shown.
    referral_code = models.CharField(
        _("referral code"), max_length=12, unique=True, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points}"


class PointsEntryQuerySet(OwnedQuerySet["PointsEntry"]):
    scope_prefix = "customer__"  # an entry is visible with its customer


class PointsEntry(models.Model):
    """A row of the ledger: never changed once written (erasure blanks its note)."""

    class Kind(models.TextChoices):
        EARN = "earn", _("earned")
        REDEEM = "redeem", _("redeemed")
        EXPIRE = "expire", _("expired")
        ADJUST = "adjust", _("adjusted")
        REVERSE = "reverse", _("taken back")

    class Cause(models.TextChoices):
        ORDER = "order", _("an order")
        REFUND = "refund", _("a refund or cancellation")
        CAMPAIGN = "campaign", _("a campaign")
        REFERRAL = "referral", _("a referral")
        REWARD = "reward", _("a reward")
        STAFF = "staff", _("staff")
        EXPIRY = "expiry", _("expiry")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="points_entries", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, default=Cause.STAFF)
    points = models.IntegerField(pgettext_lazy("loyalty", "points"))  # negative when spent
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (order) index below, partial
    )
    # When the points of an earning row expire (empty: never). A reversal carries the
    # date of what it takes back, so expiry nets them (``services.expiry``).
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    # How an order's points were counted (rate, multipliers by product, bonuses, cap, the
    # programme and rule versions): a refund recounts what is left with the same basis.
    basis = models.JSONField(_("basis"), null=True, blank=True)
    # Set by whoever posts it so that a retry posts once: "order:12:1", "api:<key>".
    key = models.CharField(_("key"), max_length=120, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # When the row was written (``at`` is when the change happened: an order's time).
    # The events feed holds back the newest rows, so that one committed after a row with
    # a higher id is never skipped; rows filled in bulk before this was kept have none.
    posted_at = models.DateTimeField(_("written"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(
                fields=["order"],
                name="loyalty_entry_order",
                condition=models.Q(order__isnull=False),
            ),
            # The nightly expiry reads the members whose points expire in its window.
            models.Index(
                fields=["expires_on"],
                name="loyalty_entry_expires",
                condition=models.Q(expires_on__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], name="loyalty_entry_key", condition=models.Q(key__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points:+d} ({self.kind})"


class TierChange(models.Model):
    """A member's tier history: each upgrade, downgrade and change by hand, with the
    spend or points it was judged on."""

    class Reason(models.TextChoices):
        QUALIFIED = "qualified", _("qualified")
        REVIEW = "review", _("review")
        STAFF = "staff", _("staff")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tier_changes", db_index=False
    )
    from_tier = models.CharField(_("from"), max_length=10, choices=Customer.Tier.choices)
    to_tier = models.CharField(_("to"), max_length=10, choices=Customer.Tier.choices)
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    amount = models.DecimalField(_("judged on"), max_digits=16, decimal_places=2, null=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_tier} → {self.to_tier}"
