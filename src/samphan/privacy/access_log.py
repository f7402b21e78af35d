"""Who saw whom (PDPA, issue 20): one compact row each time a user is shown a customer's
personal data, and one row for each export (docs/privacy.md, "Who saw whom").

The rows hold ids, never a name or a phone, so erasing a person leaves nothing here to
erase; they are plain integers rather than foreign keys so that a merge or a deletion
never rewrites (or cascades through) millions of rows of history, and a write costs one
index besides the primary key: (customer, at, id), which serves "who saw this customer",
newest first, by keyset.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccessKind(models.IntegerChoices):
    PAGE = 1, pgettext_lazy("access kind", "Customer page")
    CARD = 2, pgettext_lazy("access kind", "Front-desk card")
    EXPORT = 3, pgettext_lazy("access kind", "Export")
    API = 4, pgettext_lazy("access kind", "API")


# The names the apps below send (customers/seen.py) to the stored numbers.
KIND_OF = {"page": AccessKind.PAGE, "card": AccessKind.CARD, "export": AccessKind.EXPORT,
           "api": AccessKind.API}  # fmt: skip


class AccessExport(models.Model):
    """One download that listed customers: who, when, what; its customers are the
    ``CustomerAccess`` rows that carry its id."""

    user_id = models.BigIntegerField(_("user"))
    at = models.DateTimeField(_("at"))
    what = models.CharField(_("what"), max_length=200)
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        app_label = "privacy"
        db_table = "privacy_access_export"
        verbose_name = _("export of customers")
        verbose_name_plural = _("exports of customers")

    def __str__(self) -> str:
        return self.what


class CustomerAccess(models.Model):
    """A user was shown a customer: a page, a card, an export or an API read."""

    customer_id = models.BigIntegerField(_("customer"))
    user_id = models.BigIntegerField(_("user"))
    at = models.DateTimeField(_("at"))
    kind = models.PositiveSmallIntegerField(_("kind"), choices=AccessKind.choices)
    export_id = models.BigIntegerField(_("export"), null=True, blank=True)

    class Meta:
        app_label = "privacy"
        db_table = "privacy_customer_access"
        verbose_name = _("customer access")
        verbose_name_plural = _("customer accesses")
        indexes = [
            models.Index(fields=["customer_id", "-at", "-id"], name="customer_access_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.customer_id} ({self.get_kind_display()})"
