from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core import forms as core_forms
from samphan.customers.models import ConsentRecord, Interest
from samphan.frontdesk.models import AlertRule

# The boxes a walk-in may tick, each a purpose on a channel (never ticked beforehand).
WALK_IN_CONSENTS = {
    "consent_sms_marketing": (
        ConsentRecord.Channel.SMS,
        ConsentRecord.Purpose.MARKETING,
        _("Offers and news by SMS"),
    ),
    "consent_sms_service": (
        ConsentRecord.Channel.SMS,
        ConsentRecord.Purpose.SERVICE,
        _("Appointments and service messages by SMS"),
    ),
}


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, member number, card or name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "enterkeyhint": "go",
                "placeholder": _("081 234 5678 · M202600001 · scan the card"),
            }
        ),
    )


class PersonWithConsents(forms.Form):
    """A new customer's name and their consent boxes (``boxes``: field name → channel,
    purpose, label), added unticked."""

    boxes: Mapping[str, tuple[str, str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_channel, _purpose, label) in self.boxes.items():
            self.fields[name] = forms.BooleanField(label=label, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or "").strip() and not (data.get("nickname") or "").strip():
            self.add_error("first_name", _("Enter a first name or a nickname."))
        return data

    def consents(self) -> list[tuple[str, str]]:
        return [
            (channel, purpose)
            for name, (channel, purpose, _label) in self.boxes.items()
            if self.cleaned_data.get(name)
        ]


class WalkInForm(PersonWithConsents):
    boxes = WALK_IN_CONSENTS
    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    nickname = forms.CharField(label=_("nickname"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("mobile"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


# A select's empty choice, in the page's language (Django's own is English in Thai pages).
EMPTY_CHOICE = pgettext_lazy("select placeholder", "— choose —")


class AlertRuleForm(core_forms.ModelForm[AlertRule]):
    class Meta:
        model = AlertRule
        fields = ["name", "kind", "tier", "tag", "top", "audience", "team", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = EMPTY_CHOICE
            elif isinstance(field, forms.ChoiceField):
                # django-stubs read the getter as the setter's wide input; the field holds
                # the normalised list of pairs.
                choices = list(field.choices)  # type: ignore[arg-type]
                if any(value == "" for value, _label in choices):
                    field.choices = [("", EMPTY_CHOICE), *(c for c in choices if c[0] != "")]


# The public sign-up's boxes: one per purpose and channel, all unticked at first (PDPA).
# LINE reaches the member once they follow the shop's LINE Official Account.
SIGN_UP_CONSENTS = {
    "consent_sms_marketing": (
        ConsentRecord.Channel.SMS,
        ConsentRecord.Purpose.MARKETING,
        _("Offers, news and member privileges by SMS"),
    ),
    "consent_email_marketing": (
        ConsentRecord.Channel.EMAIL,
        ConsentRecord.Purpose.MARKETING,
        _("Offers, news and member privileges by e-mail"),
    ),
    "consent_line_marketing": (
        ConsentRecord.Channel.LINE,
        ConsentRecord.Purpose.MARKETING,
        _("Offers, news and member privileges by LINE"),
    ),
    "consent_sms_service": (
        ConsentRecord.Channel.SMS,
        ConsentRecord.Purpose.SERVICE,
        _("Appointments, orders and points by SMS"),
    ),
    "consent_email_service": (
        ConsentRecord.Channel.EMAIL,
        ConsentRecord.Purpose.SERVICE,
        _("Appointments, orders and points by e-mail"),
    ),
    "consent_line_service": (
        ConsentRecord.Channel.LINE,
        ConsentRecord.Purpose.SERVICE,
        _("Appointments, orders and points by LINE"),
    ),
}


class SignUpForm(PersonWithConsents):
    """The public membership form; ``website`` is a honeypot people leave empty."""

    boxes = SIGN_UP_CONSENTS

    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    nickname = forms.CharField(label=_("nickname"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("mobile"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("e-mail"), required=False)
    birthday = core_forms.DateField(
        label=_("birthday"),
        required=False,
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
