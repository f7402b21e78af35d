"""The forms of the request and breach pages."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.core import forms as core_forms
from samphan.customers.forms import CustomerPicker
from samphan.customers.models import Customer
from samphan.privacy.models import Breach, SubjectRequest


def _picker(field: forms.Field, user: User) -> None:
    customers = cast("forms.ModelChoiceField[Customer]", field)
    visible = Customer.objects.visible_to(user)
    customers.queryset = visible
    customers.widget = CustomerPicker(
        visible, attrs={"placeholder": _("Type part of a name or phone")}
    )


class _RequestForm(core_forms.ModelForm[SubjectRequest]):
    """A request's form: the customer picked among those the user sees, the handler among
    the active users. Each form's ``Meta`` names its fields (both have these two)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _picker(self.fields["customer"], user)
        handler = cast("forms.ModelChoiceField[User]", self.fields["handled_by"])
        handler.queryset = User.objects.filter(is_active=True).order_by("username")


class SubjectRequestForm(_RequestForm):
    class Meta:
        model = SubjectRequest
        fields = [
            "kind",
            "requester_name",
            "requester_contact",
            "customer",
            "identity_method",
            "identity_note",
            "received_on",
            "handled_by",
            "notes",
        ]
        widgets = {"notes": core_forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "customer": _("Leave empty until you know who it is."),
            "received_on": _("The answer is due 30 days after this day."),
        }


class SubjectRequestProgressForm(_RequestForm):
    """The detail page: who handles it, its status (done or refused closes it), notes."""

    class Meta:
        model = SubjectRequest
        fields = [
            "status",
            "refusal_reason",
            "customer",
            "identity_method",
            "identity_note",
            "handled_by",
            "notes",
        ]
        widgets = {
            "notes": core_forms.Textarea(attrs={"rows": 4}),
            "refusal_reason": core_forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "refusal_reason": _("Needed when refused: the law or reason that allows it."),
        }


class BreachForm(core_forms.ModelForm[Breach]):
    class Meta:
        model = Breach
        fields = [
            "what_happened",
            "found_at",
            "happened_at",
            "affected_count",
            "data_kinds",
            "risk",
            "measures",
            "regulator_notified_at",
            "people_notified_at",
        ]
        widgets = {
            "what_happened": core_forms.Textarea(attrs={"rows": 3}),
            "measures": core_forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"found_at": _("The PDPC must be told within 72 hours of this.")}


class RestrictForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)
