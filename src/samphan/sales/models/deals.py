"""Pipelines with their stages, and deals moving through them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.sales.models.catalogue import Product
from samphan.sales.models.money import ZERO, money_field


class BilingualName(models.Model):
    """A Thai name and an English one; ``label`` picks by the page's language."""

    name = models.CharField(_("name (Thai)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and not (get_language() or "th").startswith("th"):
            return self.name_en
        return self.name


class Pipeline(BilingualName):
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_pipeline",
            )
        ]


class Stage(BilingualName):
    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    outcome = models.CharField(
        _("outcome"), max_length=5, choices=Outcome.choices, default=Outcome.OPEN
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN


class DealQuerySet(OwnedQuerySet["Deal"]):
    def open(self) -> "DealQuerySet":
        return self.filter(stage__outcome=Stage.Outcome.OPEN)


class Deal(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    source = models.CharField(_("source"), max_length=30, blank=True)
    close_reason = models.CharField(_("won or lost reason"), max_length=200, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage", "-amount"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["customer"]),
            models.Index(fields=["expected_close"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        return Customer.Source.label_of(self.source)


class DealLine(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="deal_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = money_field(_("unit price"))
    discount = money_field(_("discount"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount


class DealStageChange(models.Model):
    """The deal's stage history: one row per move; time in a stage is the gap to the next."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["deal", "at"]), models.Index(fields=["to_stage", "at"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"
