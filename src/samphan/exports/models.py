"""A requested full export: who asked, the format, where the worker has got to and the
file it wrote (exports/ in the media storage, never served by the media view)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel


class DataExport(TimeStampedModel):
    class Format(models.TextChoices):
        ZIP = "zip", _("CSV files in a ZIP")
        XLSX = "xlsx", _("one Excel file (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("file deleted")

    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The language of the labels beside the codes (the requester's).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="th"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="data_exports",
    )
    tables_done = models.PositiveSmallIntegerField(default=0)
    tables_total = models.PositiveSmallIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    # Its name in the media storage; "" until the file is written and after it is deleted.
    file_path = models.CharField(max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("full export")
        verbose_name_plural = _("full exports")

    def __str__(self) -> str:
        return f"{self.pk} ({self.format})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        if not self.tables_total:
            return 0
        return min(100, self.tables_done * 100 // self.tables_total)

    @property
    def file_name(self) -> str:
        stamp = self.created_at.strftime("%Y%m%d") if self.created_at else ""
        return f"samphan-export-{stamp}-{self.pk}.{self.format}"
