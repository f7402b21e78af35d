"""Who should be told when somebody arrives, and what they were told.

A check-in itself is a visit on the customer's timeline (``customers.Interaction``);
this app adds the alert rules and the alerts they raise.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer, Interaction, Tag


class AlertRule(models.Model):
    """Which arrivals to announce, and to whom."""

    class Kind(models.TextChoices):
        TIER = "tier", _("tier at or above")
        VIP = "vip", _("VIP flag")
        TAG = "tag", _("tagged")
        TOP = "top", _("among the top customers by revenue")
        BIRTHDAY = "birthday", _("birthday today")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("all staff")
        TEAM = "team", _("a team")
        OWNER = "owner", _("the customer's owner")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("when the customer is"), max_length=10, choices=Kind.choices)
    tier = models.CharField(
        _("tier"), max_length=10, choices=Customer.Tier.choices, blank=True,
        help_text=_("For a tier rule: this tier or higher."),
    )  # fmt: skip
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.CASCADE, null=True, blank=True
    )
    top = models.PositiveIntegerField(
        _("top N"), null=True, blank=True, help_text=_("For a top-customers rule: how many.")
    )
    audience = models.CharField(
        _("who sees it"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True
    )
    # "active" alone is a product's (on sale): a rule is switched on.
    is_active = models.BooleanField(pgettext_lazy("alert rule", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        needs = {
            self.Kind.TIER: ("tier", _("Choose the lowest tier to announce.")),
            self.Kind.TAG: ("tag", _("Choose a tag.")),
            self.Kind.TOP: ("top", _("Enter how many top customers, e.g. 100.")),
        }
        if self.kind in needs:
            field, message = needs[self.Kind(self.kind)]
            value = getattr(self, f"{field}_id" if field == "tag" else field)
            if not value or (field == "tier" and value == Customer.Tier.NONE):
                errors[field] = message
        if self.audience == self.Audience.TEAM and not self.team_id:
            errors["team"] = _("Choose the team that should see these arrivals.")
        if errors:
            raise ValidationError(errors)


class AlertQuerySet(OwnedQuerySet["Alert"]):
    scope_prefix = "customer__"  # an alert is visible with its customer


class Alert(models.Model):
    """One arrival announced: to everyone, to some teams, or to one user (any that apply),
    until somebody greets the customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="alerts")
    visit = models.ForeignKey(Interaction, on_delete=models.SET_NULL, null=True, blank=True)
    reasons = models.JSONField(_("why"), default=list)  # the matching rules' names
    everyone = models.BooleanField(default=False)
    teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    arrived_at = models.DateTimeField(_("arrived"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    greeted_at = models.DateTimeField(_("greeted"), null=True, blank=True)
    greeted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("greeted by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = _("arrival alert")
        verbose_name_plural = _("arrival alerts")
        # Checking customers in at the desk (look-up, walk-in, member card) is its own
        # capability: not every role that logs interactions works the counter (issue 20).
        permissions = [("use_desk", _("Can check customers in at the front desk"))]
        # The screens ask for the alerts not yet greeted (a few), newest first.
        indexes = [
            models.Index(
                fields=["-id"], condition=models.Q(greeted_at__isnull=True), name="alert_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} at {self.arrived_at:%Y-%m-%d %H:%M}"


class SignUp(models.Model):
    """One use of the public membership form: a new member, or somebody already known
    (``returning``), kept to limit how often one address may use it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    returning = models.BooleanField(default=False)
    sender_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership sign-up")
        verbose_name_plural = _("membership sign-ups")
        indexes = [models.Index(fields=["sender_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} at {self.created_at:%Y-%m-%d %H:%M}"
