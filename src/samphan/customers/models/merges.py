"""What a merge of customers moved, so it can be undone exactly (``customers/merge.py``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MergeRecord(models.Model):
    survivor = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("survivor"),
        on_delete=models.CASCADE,
        related_name="merge_records",
    )
    duplicate_ids = models.JSONField(default=list)
    # {"app.Model.field": {"<duplicate id>": [row ids moved]}}; m2m: through-row ids added.
    moved = models.JSONField(default=dict)
    # The survivor's fields before the merge (only those the merge changed).
    survivor_before = models.JSONField(default=dict)
    # Contact points whose preferred flag the merge took away.
    unpreferred_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.pk} into {self.survivor_id}"
