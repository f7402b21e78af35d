"""What a customer agreed to: consent records, and the bit each channel and purpose has
in ``Customer.consent_bits``."""

from collections.abc import Mapping
from typing import Final

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from samphan.customers.models.customer import Customer


class ConsentRecord(models.Model):
    """One grant or withdrawal; the latest record per channel and purpose is in force."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        LINE = "line", _("LINE")
        PHONE = "phone", _("phone call")
        POST = "post", _("post")

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("marketing")
        SERVICE = "service", _("service")

    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Source(models.TextChoices):
        STAFF = "staff", _("recorded by staff")
        FORM = "form", _("sign-up form")
        API = "api", _("API")
        IMPORT = "import", _("import")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribe link")
        PREFERENCES = "preferences", _("preference page")
        REPLY = "reply", _("reply on the channel (STOP, unfollow)")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.MARKETING
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    at = models.DateTimeField(_("when"))
    source = models.CharField(_("how"), max_length=12, choices=Source.choices)
    wording_version = models.CharField(_("wording version"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["customer", "channel", "purpose", "-at"])]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {self.status}"


# Where each channel and purpose sits in ``Customer.consent_bits``. Every customer's row
# stores these, so a position never moves and is never reused: a new channel or purpose
# adds its pairs here with positions not yet taken (tests fail on a pair without one, on
# two sharing one and on any position moved). Positions stay below 31, as the column is
# a positive integer on every database.
CONSENT_BIT_POSITIONS: Final[Mapping[tuple[str, str], int]] = {
    ("email", "marketing"): 0,
    ("email", "service"): 1,
    ("sms", "marketing"): 2,
    ("sms", "service"): 3,
    ("line", "marketing"): 4,
    ("line", "service"): 5,
    ("phone", "marketing"): 6,
    ("phone", "service"): 7,
    ("post", "marketing"): 8,
    ("post", "service"): 9,
}


# What each purpose needs before a message for it goes: an opt-in purpose needs the
# customer's recorded yes on that channel; any other goes unless they said no. Messaging's
# sending rule, the preference page and the staff pages read the purposes from
# ``ConsentRecord.Purpose`` and this set, so a new purpose is declared in this module only.
OPT_IN_PURPOSES: Final[frozenset[str]] = frozenset({ConsentRecord.Purpose.MARKETING})

# How a purpose's messages are named in a sentence ("No consent to marketing by e-mail.",
# "Consent to service messages by e-mail withdrawn."), where its choice label will not
# do. A purpose not listed here is named by its label.
PURPOSE_MESSAGES: Final[Mapping[str, StrOrPromise]] = {
    ConsentRecord.Purpose.MARKETING: pgettext_lazy("consent refusal", "marketing"),
    ConsentRecord.Purpose.SERVICE: _("service messages"),
}

# The heading of a purpose on the customer page's "How to reach them" panel, where its
# label with a capital will not do.
PURPOSE_HEADINGS: Final[Mapping[str, StrOrPromise]] = {
    ConsentRecord.Purpose.SERVICE: _("Service messages"),
}

# What the purposes are, in the customer's words, on the preference page (one sentence,
# so that it translates whole): a new purpose says here what it is.
PURPOSES_EXPLAINED: Final[StrOrPromise] = _(
    "Tick what you want. Marketing is news and offers; service is about your orders, "
    "bookings and membership."
)


def purpose_heading(purpose: str) -> StrOrPromise:
    """A purpose's heading on the customer page."""
    return PURPOSE_HEADINGS.get(purpose) or capfirst(ConsentRecord.Purpose(purpose).label)


def purpose_messages(purpose: str) -> StrOrPromise:
    """A purpose's messages, as named in a sentence."""
    return PURPOSE_MESSAGES.get(purpose) or ConsentRecord.Purpose(purpose).label


def consent_bit(channel: str, purpose: str) -> int:
    """The bit of ``Customer.consent_bits`` for a channel and purpose."""
    return 1 << CONSENT_BIT_POSITIONS[channel, purpose]
