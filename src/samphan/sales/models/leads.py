"""Leads, and whose turn it is to be given the next one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.sales.models.deals import Deal


class Lead(TimeStampedModel):
    """An enquiry about a customer record at the lead stage: where it came from, who works
    it, and what became of it. The person (or company) itself is a ``Customer`` from the
    start, so calls logged while qualifying stay on their timeline after conversion."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        WORKING = "working", _("working")
        CONVERTED = "converted", _("converted")
        DISQUALIFIED = "disqualified", _("disqualified")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    source = models.CharField(_("source"), max_length=20, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    closed_at = models.DateTimeField(_("converted or disqualified"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    matched_existing = models.BooleanField(
        _("matched an existing customer"),
        default=False,
        help_text=_("The phone or e-mail already belonged to a customer, so none was created."),
    )
    unconfirmed_match = models.BooleanField(
        _("matches an existing customer: confirm"),
        default=False,
        help_text=_(
            "Sent from the public form with the phone or e-mail of an existing customer; kept "
            "apart, and nothing of theirs was changed, until staff confirm it was them."
        ),
    )
    # Hash of the sender's address for the public form's rate limit; never the address itself.
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["sender_hash", "created_at"]),
            # The funnel counts a period's leads by status and source or campaign: from the
            # index alone on PostgreSQL (INCLUDE), not a scan of every lead.
            models.Index(
                fields=["created_at"],
                include=["status", "source", "campaign"],
                name="sales_lead_created_cover",
            ),
            # The funnel's snapshot is recomputed when a lead changes: the latest change,
            # read by the worker every 15 seconds.
            models.Index(fields=["updated_at"], name="sales_lead_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.WORKING)

    @property
    def source_label(self) -> str:
        return Customer.Source.label_of(self.source)


class RoundRobin(models.Model):
    """Who in a team was given the last lead, so the next goes to the one after."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, primary_key=True)
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team_id}: {self.last_user_id}"
