"""Segments: who a campaign, a list or a report is about. A segment is either rules over
the customers' attributes and behaviour (``samphan.marketing.rules``), evaluated when it
is used, or a static list of customers added by hand or from a CSV file."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.customers.models import Customer


def no_rules() -> dict:
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
