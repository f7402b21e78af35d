"""Requests from data subjects (PDPA ss.30-36) and the breach register (s.37(4))."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.models import TimeStampedModel

# Who saw whom keeps its models in its own module; Django finds them through this one.
from samphan.privacy.access_log import AccessExport, CustomerAccess  # noqa: F401
from samphan.privacy.retention_models import RetentionPolicy  # noqa: F401

# s.30 para. 3: a request is answered within 30 days of receipt.
ANSWER_WITHIN = dt.timedelta(days=30)
# Reminders start this many days before the deadline.
REMIND_WITHIN_DAYS = 7
# s.37(4): the regulator is told within 72 hours of the controller learning of a breach.
REPORT_WITHIN = dt.timedelta(hours=72)


class SubjectRequestQuerySet(models.QuerySet["SubjectRequest"]):
    def unfinished(self) -> "SubjectRequestQuerySet":
        return self.filter(status__in=SubjectRequest.OPEN_STATUSES)


class SubjectRequest(TimeStampedModel):
    """A person asking to see, take, correct, erase, object to or restrict their data."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access (a copy of their data)")
        PORTABILITY = "portability", _("portability (data to take elsewhere)")
        CORRECTION = "correction", _("correction")
        ERASURE = "erasure", _("erasure")
        OBJECTION = "objection", _("objection")
        RESTRICTION = "restriction", _("restriction of processing")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("data subject request", "open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    class Identity(models.TextChoices):
        NOT_YET = "not_yet", _("not checked yet")
        ID_CARD = "id_card", _("ID card seen in person")
        CONTACT_ON_FILE = "contact_on_file", _("confirmed through the contact on file")
        VIDEO_CALL = "video_call", _("ID card shown on a video call")
        DOCUMENT = "document", _("copy of an ID document")
        OTHER = "other", _("other")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    kind = models.CharField(_("kind of request"), max_length=20, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subject_requests",
    )
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_contact = models.CharField(
        _("requester's contact"), max_length=200, help_text=_("Phone, e-mail or address, as given.")
    )
    identity_method = models.CharField(
        _("identity checked by"), max_length=20, choices=Identity.choices, default=Identity.NOT_YET
    )
    identity_note = models.CharField(_("identity check note"), max_length=300, blank=True)
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subject_requests",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The day the worker last reminded about it: one reminder a day however often it runs.
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = SubjectRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.requester_name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def days_left(self, today: dt.date | None = None) -> int:
        """Days until the answer is due (negative: overdue by that many)."""
        return (self.due_on - (today or timezone.localdate())).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left())

    @property
    def overdue(self) -> bool:
        return self.is_open and self.days_left() < 0

    @property
    def due_soon(self) -> bool:
        return self.is_open and 0 <= self.days_left() <= REMIND_WITHIN_DAYS


class Breach(TimeStampedModel):
    """A personal data breach: what happened, whom it touched, whom the shop told when."""

    class Risk(models.TextChoices):
        LOW = "low", _("low: unlikely to affect anyone's rights")
        MEDIUM = "medium", _("medium: the regulator must be told")
        HIGH = "high", _("high: tell the regulator and the people affected")

    what_happened = models.TextField(_("what happened"))
    found_at = models.DateTimeField(_("found"))
    happened_at = models.DateTimeField(_("happened"), null=True, blank=True)
    affected_count = models.PositiveIntegerField(
        _("people affected"), null=True, blank=True, help_text=_("Leave empty while unknown.")
    )
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customers affected"), blank=True, related_name="+"
    )
    data_kinds = models.CharField(
        _("kinds of data"), max_length=300, help_text=_("e.g. names, phone numbers, orders")
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    measures = models.TextField(_("measures taken"), blank=True)
    regulator_notified_at = models.DateTimeField(_("PDPC notified"), null=True, blank=True)
    people_notified_at = models.DateTimeField(_("people notified"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")

    def __str__(self) -> str:
        return self.what_happened[:80]

    @property
    def report_by(self) -> dt.datetime:
        """When the PDPC must have been told: 72 hours from finding it."""
        return self.found_at + REPORT_WITHIN

    def hours_left(self, now: dt.datetime | None = None) -> float:
        return (self.report_by - (now or timezone.now())).total_seconds() / 3600

    @property
    def hours_to_report(self) -> int:
        return max(0, int(self.hours_left()))

    @property
    def hours_overdue(self) -> int:
        left = self.hours_left()
        return max(1, int(-left)) if left < 0 else 0

    @property
    def report_overdue(self) -> bool:
        return self.regulator_notified_at is None and self.hours_left() < 0
