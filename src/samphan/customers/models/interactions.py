"""What happened: the entries of a customer's timeline."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.customers.models.customer import Customer


class Interaction(models.Model):
    """One entry of a customer's timeline. Later apps add kinds (purchase, ticket …)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CALL = "call", _("call")
        EMAIL = "email", _("e-mail")
        MEETING = "meeting", _("meeting")
        VISIT = "visit", _("visit")
        MESSAGE = "message", _("message")
        PURCHASE = "purchase", _("purchase")
        TICKET = "ticket", _("ticket")
        POINTS = (
            "points",
            _("points"),
        )  # loyalty's ledger (not orders'), never logged        OTHER = "other", _("other")
        # Written by the app, not logged by staff (a purchase made a lead a customer).
        STAGE = "stage", _("stage change")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,  # led by the (customer, occurred_at) index
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["-occurred_at"]),  # the latest activity, across customers
            # A customer's visits alone (most entries are purchases): the analytics roll-ups
            # recompute and probe a customer's visits through it.
            models.Index(
                fields=["customer", "occurred_at"],
                condition=models.Q(kind="visit"),
                name="customers_visit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"

    # The timeline records what happened; a day's grace covers clocks and time zones.
    FUTURE_LIMIT = dt.timedelta(days=1)

    def clean(self) -> None:
        if self.occurred_at and self.occurred_at > timezone.now() + self.FUTURE_LIMIT:
            raise ValidationError(
                {"occurred_at": _("This is more than a day from now. Enter when it happened.")}
            )

    def may_be_changed_by(self, user: User, *, delete: bool = False) -> bool:
        """Whoever logged an entry may correct or remove it while they may still log
        entries; anyone else needs their role's change (or delete) permission."""
        if user.has_perm(
            "customers.delete_interaction" if delete else "customers.change_interaction"
        ):
            return True
        return (
            self.user_id is not None
            and self.user_id == user.pk
            and user.has_perm("customers.add_interaction")
        )


# The kinds of interaction staff log (forms, API); the rest the app writes.
LOGGED_INTERACTION_KINDS = [kind for kind in Interaction.Kind.values if kind != "stage"]
