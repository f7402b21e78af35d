"""How to reach a customer: phones, e-mails, LINE, addresses, websites."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.customers.models.consent import ConsentRecord
from samphan.customers.models.customer import Customer


class ContactPoint(TimeStampedModel):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("mobile")
        PHONE = "phone", _("phone")
        FAX = "fax", _("fax")
        EMAIL = "email", _("e-mail")
        LINE = "line", _("LINE ID")
        ADDRESS = "address", _("address")
        WEBSITE = "website", _("website")
        OTHER = "other", _("other")

    PHONE_KINDS = (Kind.MOBILE, Kind.PHONE, Kind.FAX)

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=300)
    label = models.CharField(_("label"), max_length=50, blank=True)
    is_preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        ordering = ["-is_preferred", "kind", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_preferred=True),
                name="one_preferred_contact_point",
                violation_error_message=_("A customer has only one preferred contact point."),
            ),
            models.UniqueConstraint(
                fields=["customer", "kind", "value"], name="unique_contact_point_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_phone(self) -> bool:
        return self.kind in self.PHONE_KINDS

    @property
    def channel(self) -> str | None:
        """The consent channel this contact point is reached through."""
        return CONSENT_CHANNEL_BY_KIND.get(ContactPoint.Kind(self.kind))


# The consent channel each kind of contact point is reached through.
CONSENT_CHANNEL_BY_KIND = {
    ContactPoint.Kind.MOBILE: ConsentRecord.Channel.SMS,
    ContactPoint.Kind.PHONE: ConsentRecord.Channel.PHONE,
    ContactPoint.Kind.EMAIL: ConsentRecord.Channel.EMAIL,
    ContactPoint.Kind.LINE: ConsentRecord.Channel.LINE,
    ContactPoint.Kind.ADDRESS: ConsentRecord.Channel.POST,
}
