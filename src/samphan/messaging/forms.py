from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.core import forms as core_forms
from samphan.customers.models import ConsentRecord
from samphan.messaging.models import Channel

PREFERRED = "preferred"


class MessageForm(forms.Form):
    """A message to one customer, written by staff on the customer's page."""

    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=[(PREFERRED, _("Their preferred channel that may be used")), *Channel.choices],
        initial=PREFERRED,
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=ConsentRecord.Purpose.choices,
        initial=ConsentRecord.Purpose.SERVICE,
        help_text=_(
            "Marketing needs the customer's consent; service messages go unless withdrawn."
        ),
    )
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=core_forms.Textarea(attrs={"rows": 6, "data-sms-length": ""}),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
