"""A saved column mapping for customer imports, offered again for a file with the same
headers."""

from typing import Any

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


def import_file_path(instance: "ImportJob", filename: str) -> str:
    """Uploaded import files live under imports/ in the media storage, never served (0600
    on disk: the project's FILE_UPLOAD_PERMISSIONS), named by their hash, not by the
    customer's name."""
    return f"imports/{instance.sha256 or 'file'}.bin"


class ImportJob(TimeStampedModel):
    """One customer import run by the worker: the file, how it is read and mapped, and
    where it has got to. ``next_row`` is the resume cursor, moved in the same transaction
    as the batch it follows, so a restarted worker writes nothing twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    file = models.FileField(_("file"), upload_to=import_file_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size"), default=0)
    source_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict)
    existing_policy = models.CharField(
        _("when a row matches a customer"),
        max_length=10,
        choices=ImportMapping.Policy.choices,
        default=ImportMapping.Policy.SKIP,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def done_rows(self) -> int:
        return self.created_count + self.updated_count + self.skipped_count + self.failed_count

    @property
    def failed_rows(self) -> list[dict[str, Any]]:
        """Every failed row in file order, as ``{"line", "column", "reason", "row"}``
        (read from ``ImportFailedRow`` each time: a report shows a slice of its own)."""
        return [row.as_dict() for row in self.failed.all()]


class ImportFailedRow(models.Model):
    """A row of an import that failed: its line in the file, the column and reason, and
    its cells as they were (personal data, deleted with its import: privacy registry).
    Written once per batch (one ``INSERT``), never rewritten."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failed")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    cells = models.JSONField(default=list)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "line"], name="import_failed_job_line")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason, "row": self.cells}
