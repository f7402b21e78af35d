"""A pair of customers the duplicate finder thinks may be one person, and what a
manager decided about it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.customers.models.customer import Customer


class DuplicateCandidate(models.Model):
    """Two customers (``customer_a_id < customer_b_id``), their score and the reasons as
    codes (``REASON_LABELS``): ids and codes only, never a name or a phone."""

    class Status(models.TextChoices):
        OPEN = "open", _("to review")
        NOT_DUPLICATE = "not_duplicate", _("not a duplicate")
        MERGED = "merged", _("merged")

    customer_a = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    customer_b = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    found_at = models.DateTimeField(_("found"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"], name="unique_duplicate_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")),
                name="duplicate_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="customers_dup_open_idx")]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id}"
