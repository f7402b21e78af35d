"""A saved column mapping for customer imports, offered again for a file with the same
headers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel


class ImportMapping(TimeStampedModel):
    class Policy(models.TextChoices):
        """What a row that matches an existing customer (same phone or e-mail) does."""

        SKIP = "skip", _("skip it")
        FILL = "fill", _("fill empty fields")
        UPDATE = "update", _("update")
        CREATE = "create", _("create anyway as a possible duplicate")

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    # The file's headers, normalised (case, spaces, punctuation), hashed: files with the
    # same columns in the same order share it.
    headers_signature = models.CharField(max_length=64, db_index=True, editable=False)
    headers = models.JSONField(_("headers"), default=list)
    # {"0": "first_name", "1": null, ...}: column index (as text, JSON's keys) to field.
    mapping = models.JSONField(_("mapping"), default=dict)
    existing_policy = models.CharField(
        _("when a row matches a customer"),
        max_length=10,
        choices=Policy.choices,
        default=Policy.SKIP,
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_import_mapping_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def columns(self) -> dict[int, str | None]:
        """The mapping with integer column indexes, as ``propose_mapping`` gives it."""
        return {int(index): field for index, field in self.mapping.items()}
