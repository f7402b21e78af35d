"""Referrals: a friend linked to the member whose code or link they came with, and the
rewards both earn once the friend's first paid order has stood for the programme's days."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.sales.models import Order


class ReferralQuerySet(OwnedQuerySet["Referral"]):
    scope_prefix = "referred__"  # a referral is visible with the friend it brought


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a paid order")
        HOLDING = "holding", _("paid; waiting out the refund days")
        REVIEW = "review", _("waiting for staff review")
        REWARDED = "rewarded", _("rewarded")
        REJECTED = "rejected", _("not rewarded")

    class Channel(models.TextChoices):
        SIGN_UP = "signup", _("signed up with the link")
        STAFF = "staff", _("entered by staff")
        API = "api", _("through the API")

    class Reason(models.TextChoices):
        SELF = "self", _("the same person: same phone, e-mail or address")
        DEVICE = "device", _("the same device signed up another friend of this member")
        LIMIT = "limit", _("past the member's referrals for the month")
        STAFF = "staff", _("refused by staff")

    referrer = models.ForeignKey(
        Customer, verbose_name=_("referred by"), on_delete=models.CASCADE,
        related_name="referrals_made",
    )  # fmt: skip
    referred = models.OneToOneField(
        Customer, verbose_name=_("friend"), on_delete=models.CASCADE, related_name="referral"
    )
    code = models.CharField(_("code used"), max_length=12)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(
        _("why"), max_length=10, choices=Reason.choices, blank=True, default=""
    )
    # A hash of the sign-up's address and browser, never the address itself.
    device = models.CharField(max_length=64, blank=True, default="")
    order = models.ForeignKey(
        Order, verbose_name=_("qualifying order"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    qualifies_on = models.DateField(_("rewarded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["referrer", "created_at"], name="loyalty_referral_referrer"),
            models.Index(fields=["status", "qualifies_on"], name="loyalty_referral_due"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id}"
