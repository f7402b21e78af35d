"""The reward catalogue and the vouchers members redeem points for."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.loyalty.models.ledger import PointsEntry
from samphan.sales.models import Order


class Reward(models.Model):
    """Something members redeem points for: a drink, a discount, a gift."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    points = models.PositiveIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    cash = models.DecimalField(
        _("and baht"), max_digits=10, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Paid with the points, at the counter (0: points only)."),
    )  # fmt: skip
    stock = models.PositiveIntegerField(
        _("in stock"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    per_member = models.PositiveSmallIntegerField(
        _("at most per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    min_tier = models.CharField(
        _("for tiers from"), max_length=10, choices=Customer.Tier.choices, blank=True
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    voucher_days = models.PositiveSmallIntegerField(
        _("voucher valid for (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )  # fmt: skip
    image = models.ImageField(_("picture"), upload_to="rewards/%Y/", blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["points", "name"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    @property
    def shown_name(self) -> str:
        """The name in the language of the page being drawn."""
        return self.name_in(get_language() or "th")


class VoucherQuerySet(OwnedQuerySet["Voucher"]):
    scope_prefix = "customer__"  # a voucher is visible with its customer


class Voucher(models.Model):
    """A redemption: the points taken (its ledger row), and a code to use once, at the
    counter or in an order, before it expires."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("ready to use")
        USED = "used", _("used")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(_("code"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="vouchers", db_index=False
    )
    entry = models.OneToOneField(  # the ledger row that took the points
        PointsEntry, on_delete=models.PROTECT, related_name="voucher"
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="vouchers")
    points = models.PositiveIntegerField(_("points"))
    cash = models.DecimalField(_("and baht"), max_digits=10, decimal_places=2, default=Decimal(0))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_on = models.DateField(_("use by"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        indexes = [
            models.Index(fields=["customer", "-issued_at"]),
            models.Index(fields=["reward", "customer"]),
        ]

    def __str__(self) -> str:
        return self.code
