"""Retention (PDPA s.37(3), issue 20): how long each kind of personal data is kept when
nothing else needs it. One row (``RetentionPolicy.current()``), edited by admins on
/privacy/retention/; what it does is in ``privacy/retention.py``."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# 0 keeps forever; more than 20 years is a typing mistake, not a policy.
MAX_MONTHS = 240
MONTHS = [MinValueValidator(0), MaxValueValidator(MAX_MONTHS)]
MONTHS_HELP = _("Months; 0 keeps them forever.")


class RetentionPolicy(models.Model):
    """The retention period of each purpose, and whether the worker applies them daily."""

    leads_months = models.PositiveIntegerField(
        _("leads never converted"), default=24, validators=MONTHS, help_text=MONTHS_HELP
    )
    customers_months = models.PositiveIntegerField(
        _("inactive customers"), default=36, validators=MONTHS, help_text=MONTHS_HELP
    )
    messages_months = models.PositiveIntegerField(
        _("message texts"), default=12, validators=MONTHS, help_text=MONTHS_HELP
    )
    access_log_months = models.PositiveIntegerField(
        _("who saw whom"), default=24, validators=MONTHS, help_text=MONTHS_HELP
    )
    auto_apply = models.BooleanField(
        _("apply automatically every day"),
        default=False,
        help_text=_("Off: nothing is erased until you turn this on or apply by hand."),
    )
    # The day the worker (or an admin) last applied the periods: once a day at most.
    last_applied_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "privacy"
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "RetentionPolicy":
        """The shop's policy: the defaults until an admin changes them (reading writes
        nothing; the row is saved by the first change)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
