"""Segments: who a campaign, a list or a report is about. A segment is either rules over
the customers' attributes and behaviour (``samphan.marketing.rules``), evaluated when it
is used, or a static list of customers added by hand or from a CSV file."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.customers.models import Customer
from samphan.messaging.models import Channel


def no_rules() -> dict[str, Any]:
    return {"match": "all", "rules": []}


class Segment(models.Model):
    class Kind(models.TextChoices):
        RULES = "rules", _("rules")
        STATIC = "static", _("static list")

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RULES)
    rules = models.JSONField(_("rules"), default=no_rules, blank=True)
    # The last count for someone who sees every customer, to list segments without
    # evaluating each one; the page of a segment always counts afresh.
    last_count = models.PositiveIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_static(self) -> bool:
        return self.kind == self.Kind.STATIC


class SegmentMember(models.Model):
    """A customer on a static list."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="segment_memberships"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "customer"], name="one_membership_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.customer_id}"


class Campaign(models.Model):
    """Messages to a segment, in one or more variants (A/B/n) with a hold-out group that
    gets nothing, so that what the messages changed can be measured against it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    PREFERRED = "preferred"
    CHANNELS = [
        (PREFERRED, _("their preferred channel that may be used")),
        *Channel.choices,
    ]

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, verbose_name=_("audience"), on_delete=models.PROTECT, related_name="campaigns"
    )
    channel = models.CharField(_("send by"), max_length=10, choices=CHANNELS, default=PREFERRED)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    holdout_percent = models.PositiveSmallIntegerField(
        _("hold-out group (%)"),
        default=10,
        validators=[MaxValueValidator(50)],
        help_text=_("Gets nothing: what the others do beyond them is the campaign's effect."),
    )
    conversion_days = models.PositiveSmallIntegerField(
        _("a purchase counts within (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    baseline_percent = models.DecimalField(
        _("usual conversion (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("90"))],
        help_text=_("How many in a hundred usually buy in that time; for the sample size."),
    )
    effect_points = models.DecimalField(
        _("smallest effect worth knowing (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("50"))],
    )
    seed = models.PositiveIntegerField(default=0, editable=False)  # the recorded split's
    recipients_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(
                fields=["scheduled_at"], condition=models.Q(status="scheduled"), name="campaign_due"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class Variant(models.Model):
    """One version of the message, in Thai and English; ``share`` is its weight in the
    split of those who are not held out."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(_("variant"), max_length=2)
    share = models.PositiveSmallIntegerField(
        _("share"), default=50, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    subject_th = models.CharField(_("subject (Thai)"), max_length=200, blank=True)
    text_th = models.TextField(_("message (Thai)"), max_length=5000)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    text_en = models.TextField(_("message (English)"), max_length=5000, blank=True)

    class Meta:
        ordering = ["campaign", "label"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="one_variant_per_label")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.label}"


class Recipient(models.Model):
    """One customer of a campaign's audience: the variant drawn (none: held out), the
    message queued for them or why none could be, and what they did."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True)
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped = models.CharField(_("not sent because"), max_length=300, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    # The links written in the template, filled for them, in the order of the message's
    # tracked links: a click leads only here. None for a message queued before they were
    # recorded (then read from the template again).
    links = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="one_recipient_per_campaign"
            )
        ]
        indexes = [models.Index(fields=["campaign", "variant"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.customer_id}"
