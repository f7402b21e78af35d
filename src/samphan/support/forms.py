from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import Team, User
from samphan.analytics.forms import SegmentChoice
from samphan.core import forms as core_forms
from samphan.core.forms import model_choice_field
from samphan.core.phones import normalise_phone
from samphan.customers.forms import CustomerPicker
from samphan.customers.models import Customer
from samphan.support import reports
from samphan.support.models import Category, Priority, Ticket, TicketTag


def _choices(form: forms.BaseForm) -> None:
    """Whom a ticket may be given to, and its teams and categories."""
    staff = User.objects.filter(is_active=True).order_by("first_name", "username")
    model_choice_field(form, "owner").queryset = staff
    model_choice_field(form, "team").queryset = Team.objects.all()
    model_choice_field(form, "category").queryset = Category.objects.all()


class TicketForm(core_forms.ModelForm[Ticket]):
    """A ticket staff open themselves: a phone call, a customer at the counter."""

    body = forms.CharField(
        label=_("What the customer asked"), widget=core_forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Ticket
        fields = [
            "customer",
            "requester",
            "subject",
            "channel",
            "priority",
            "category",
            "owner",
            "team",
        ]
        labels = {"owner": _("Assign to")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("channel", Ticket.Channel.PHONE)
        super().__init__(*args, **kwargs)
        visible = Customer.objects.visible_to(user).active()
        customer = model_choice_field(self, "customer")
        customer.queryset = visible
        customer.widget = CustomerPicker(
            visible, attrs={"placeholder": _("Type part of a name or phone")}
        )
        _choices(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("customer") and not (data.get("requester") or "").strip():
            self.add_error("customer", _("Choose the customer, or say who it is from."))
        return data


class ReplyForm(forms.Form):
    KINDS = [("reply", _("Reply to the customer")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(
        label=_("Send as"), choices=KINDS, initial="reply", widget=forms.RadioSelect
    )
    body = forms.CharField(label=_("Message"), widget=core_forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(
        label=_("Then the ticket is"),
        choices=[
            (Ticket.Status.PENDING, _("waiting on customer")),
            (Ticket.Status.OPEN, _("open")),
            (Ticket.Status.SOLVED, _("solved")),
        ],
        initial=Ticket.Status.PENDING,
        required=False,
    )


class TicketUpdateForm(core_forms.ModelForm[Ticket]):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=TicketTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "category", "owner", "team", "tags"]
        labels = {"owner": _("Assignee")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self)


class HelpForm(forms.Form):
    """The public help form: who is asking, how to answer them, what about. ``website`` is
    a honeypot people leave empty."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    subject = forms.CharField(label=_("What about?"), max_length=200)
    body = forms.CharField(
        label=_("How can we help?"),
        max_length=5000,
        widget=core_forms.Textarea(attrs={"rows": 6}),
    )
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def clean_mobile(self) -> str:
        raw = self.cleaned_data.get("mobile", "").strip()
        return normalise_phone(raw) if raw else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        refused = "mobile" in self.errors or "email" in self.errors
        if not data.get("email") and not data.get("mobile") and not refused:
            self.add_error("email", _("Give an e-mail or a mobile number, so we can answer you."))
        return data


class BulkForm(forms.Form):
    """One change for the tickets ticked in the inbox; what is left empty stays."""

    owner = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Ticket.Status.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", "—"), *Priority.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True).order_by("first_name", "username")
        model_choice_field(self, "owner").queryset = staff

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class SupportReportForm(SegmentChoice, core_forms.PeriodForm):
    """Support's reports: the period (the last 30 days unless chosen), the grouping, and
    the customers whose answers the satisfaction figures count."""

    default_period = "last_30"
    group = forms.ChoiceField(
        label=_("Report"), required=False, choices=list(reports.GROUPS.items())
    )
