"""What the business sets: the hours a team works, closed days, the service promises
(SLAs) counted in those hours, ticket categories and canned replies."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.customers.models import Customer
from samphan.support.hours import Week, thai_public_holidays

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = (
    _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
    _("Sunday"),
)  # fmt: skip


class Schedule(TimeStampedModel):
    """The hours a team answers tickets (Asia/Bangkok). The one without a team is the
    business's, used by every team without its own. A day without both times is closed."""

    name = models.CharField(_("name"), max_length=100)
    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_schedule",
    )
    public_holidays = models.BooleanField(
        _("closed on Thai public holidays"),
        default=True,
        help_text=_("Skip Thailand's public holidays (substitution days included)."),
    )
    monday_opens = models.TimeField(_("Monday opens"), null=True, blank=True)
    monday_closes = models.TimeField(_("Monday closes"), null=True, blank=True)
    tuesday_opens = models.TimeField(_("Tuesday opens"), null=True, blank=True)
    tuesday_closes = models.TimeField(_("Tuesday closes"), null=True, blank=True)
    wednesday_opens = models.TimeField(_("Wednesday opens"), null=True, blank=True)
    wednesday_closes = models.TimeField(_("Wednesday closes"), null=True, blank=True)
    thursday_opens = models.TimeField(_("Thursday opens"), null=True, blank=True)
    thursday_closes = models.TimeField(_("Thursday closes"), null=True, blank=True)
    friday_opens = models.TimeField(_("Friday opens"), null=True, blank=True)
    friday_closes = models.TimeField(_("Friday closes"), null=True, blank=True)
    saturday_opens = models.TimeField(_("Saturday opens"), null=True, blank=True)
    saturday_closes = models.TimeField(_("Saturday closes"), null=True, blank=True)
    sunday_opens = models.TimeField(_("Sunday opens"), null=True, blank=True)
    sunday_closes = models.TimeField(_("Sunday closes"), null=True, blank=True)

    class Meta:
        ordering = ["team__name"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            # One schedule without a team (the business's): NULLs are not equal in SQL.
            models.UniqueConstraint(
                Coalesce("team", Value(0)), name="support_one_schedule_per_team"
            ),
            # A day is closed (neither time) or opens before it closes.
            *(
                models.CheckConstraint(
                    condition=models.Q(
                        **{f"{day}_opens__isnull": True, f"{day}_closes__isnull": True}
                    )
                    | models.Q(**{f"{day}_closes__gt": models.F(f"{day}_opens")}),
                    name=f"support_{day}_hours",
                )
                for day in WEEKDAYS
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def days(self) -> dict[int, tuple[dt.time, dt.time]]:
        found = {}
        for index, name in enumerate(WEEKDAYS):
            opens, closes = getattr(self, f"{name}_opens"), getattr(self, f"{name}_closes")
            if opens is not None and closes is not None:
                found[index] = (opens, closes)
        return found

    def week(self) -> Week:
        """The schedule as the SLA clock reads it: its days less the closed ones (read once
        here, so counting a due time runs no query)."""
        closed = set(
            ClosedDay.objects.filter(
                models.Q(schedule__isnull=True) | models.Q(schedule=self.pk)
            ).values_list("date", flat=True)
        )
        observes = self.public_holidays

        def is_closed(day: dt.date) -> bool:
            return day in closed or (observes and day in thai_public_holidays(day.year))

        return Week(self.days(), is_closed)


class ClosedDay(models.Model):
    """A day the business (or one team's schedule) does not work, besides public holidays:
    a company trip, a stocktake, a local festival."""

    date = models.DateField(_("date"))
    name = models.CharField(_("why"), max_length=100)
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("only for"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closed_days",
        help_text=_("Empty: closed for every team."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [
            models.UniqueConstraint(
                "date", Coalesce("schedule", Value(0)), name="support_closed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


MINUTES = [MinValueValidator(1), MaxValueValidator(60 * 24 * 90)]


class SlaPolicy(models.Model):
    """How soon tickets of a priority (and a customer tier, or any) are answered and
    resolved, in working minutes of the ticket's team."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    tier = models.CharField(
        _("customer tier"),
        max_length=10,
        choices=Customer.Tier.choices,
        blank=True,
        help_text=_("Empty: any tier without a policy of its own."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (working minutes)"), validators=MINUTES
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (working minutes)"), validators=MINUTES
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolved within (working minutes)"), validators=MINUTES
    )

    class Meta:
        ordering = ["priority", "tier"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["priority", "tier"], name="support_sla_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.get_tier_display() or ''}".strip()


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class TicketTag(models.Model):
    """A label staff put on tickets ("refund", "VIP", "broken on arrival") to find them."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")

    def __str__(self) -> str:
        return self.name


class CannedReply(models.Model):
    """A reply staff start from. ``{name}``, ``{ticket}``, ``{agent}`` and ``{shop}`` are
    filled in for the ticket at hand."""

    class Language(models.TextChoices):
        THAI = "th", _("Thai")
        ENGLISH = "en", _("English")

    PLACEHOLDERS = ("name", "ticket", "agent", "shop")

    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.THAI
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "{name}: the customer's name, {ticket}: the ticket's number, {agent}: your name, "
            "{shop}: the shop's name."
        ),
    )

    class Meta:
        ordering = ["language", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(fields=["language", "title"], name="support_canned_once")
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentRule(models.Model):
    """How a new ticket without an assignee finds one: among the team's staff who work
    tickets (no team: the support role's), in turn or to the least busy. No rule: it
    waits in Unassigned for someone to take it."""

    class Mode(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("in turn")
        LOAD = "load", _("to the one with the fewest open tickets")

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: tickets without a team, among the support staff."),
    )
    mode = models.CharField(_("assign"), max_length=12, choices=Mode.choices)
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.UniqueConstraint(
                Coalesce("team", Value(0)), name="support_assignment_once_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team or '—'}: {self.get_mode_display()}"
