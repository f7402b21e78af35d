"""Satisfaction surveys (CSAT after a ticket or a purchase, NPS) and when they are sent."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.support.models.tickets import Ticket


class SurveySettings(models.Model):
    """When customers are asked how satisfied they are (one row, made by a migration).
    ``channel`` empty: each customer's preferred channel that consent allows."""

    after_ticket = models.BooleanField(_("ask after a ticket is solved"), default=True)
    after_purchase = models.BooleanField(_("ask after a purchase"), default=False)
    delay_hours = models.PositiveSmallIntegerField(
        _("hours after, before asking"),
        default=2,
        validators=[MaxValueValidator(24 * 14)],
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        blank=True,
        choices=[("email", _("e-mail")), ("sms", _("SMS")), ("line", _("LINE"))],
        help_text=_("Empty: the customer's preferred channel."),
    )
    ticket_when_unhappy = models.BooleanField(
        _("open a ticket for an unhappy answer"),
        default=True,
        help_text=_("1-2 of 5, or 0-6 of 10: a ticket to call the customer back."),
    )
    quiet_days = models.PositiveSmallIntegerField(
        _("at most one survey per customer in"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Days: nobody is asked again sooner."),
    )

    class Meta:
        verbose_name = _("satisfaction survey settings")
        verbose_name_plural = _("satisfaction survey settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class SurveyQuerySet(OwnedQuerySet["Survey"]):
    scope_prefix = "customer__"  # a survey is visible with its customer


class Survey(models.Model):
    """One question put to one customer through a signed link: CSAT (1-5) after a ticket
    or a purchase; NPS (0-10). Answered once."""

    class Kind(models.TextChoices):
        CSAT = "csat", _("satisfaction (1-5)")
        NPS = "nps", _("recommendation (0-10)")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.CSAT)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="surveys",
        db_index=False,  # led by the (customer, sent_at) index
    )  # fmt: skip
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="survey"
    )
    order = models.OneToOneField(
        "sales.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="survey"
    )
    # An NPS survey a campaign sent (its ``{{ nps_link }}``): one per recipient.
    campaign = models.ForeignKey(
        "marketing.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=5, default="th")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # Why it was not sent (asked too recently, no channel allowed): kept so the ticket or
    # order is not looked at again.
    skipped = models.CharField(_("not sent"), max_length=300, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                condition=models.Q(campaign__isnull=False),
                name="support_survey_once_per_campaign",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="support_survey_customer"),
            models.Index(fields=["kind", "answered_at"], name="support_survey_answers"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.score}"

    @property
    def top(self) -> int:
        return 5 if self.kind == self.Kind.CSAT else 10
