"""Loyalty points (C15), the first part: a balance every customer has, earned from what
they spend, and a ledger of what staff change by hand (redemptions, adjustments).

Points earned are not rows: they are the customer's net spend (paid orders less refunds,
the insights' roll-up) divided by ``SAMPHAN_BAHT_PER_POINT``, rounded down, so refunds and
cancellations take them back with no bookkeeping and an import of three years of orders
earns at once. Rewards, expiry and earning rules per product come with the rest of C15.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer


class PointsEntryQuerySet(OwnedQuerySet["PointsEntry"]):
    scope_prefix = "customer__"  # an entry is visible with its customer


class PointsEntry(models.Model):
    class Kind(models.TextChoices):
        REDEEM = "redeem", _("redeemed")
        ADJUST = "adjust", _("adjusted")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="points_entries", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(pgettext_lazy("loyalty", "points"))  # a redemption is negative
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
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
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points:+d} ({self.kind})"
