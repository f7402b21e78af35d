import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import Team, User
from samphan.core import forms as core_forms
from samphan.core.forms import PeriodForm
from samphan.core.uploads import CsvFileField, PhotoField
from samphan.customers.forms import CustomerPicker
from samphan.customers.models import Customer
from samphan.sales.models import Deal, Order, Product, Stage
from samphan.sales.services import LineInput
from samphan.sales.services.products import PRODUCT_FIELDS


def _choose[M: Model](
    field: forms.Field, queryset: QuerySet[M], label: Callable[[M], str] | None = None
) -> None:
    """Point a model choice field at ``queryset``; ``label`` says how each choice reads."""
    choices = cast("forms.ModelChoiceField[M]", field)
    choices.queryset = queryset
    if label is not None:
        # An attribute of this field only: relabels this form's choices (mypy sees a method
        # replaced, which here is the point).
        choices.label_from_instance = label  # type: ignore[method-assign, assignment]


class ProductForm(core_forms.ModelForm[Product]):
    class Meta:
        model = Product
        fields = [*PRODUCT_FIELDS, "photo"]
        field_classes = {"photo": PhotoField}

    def product_fields(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "photo" and name in self.fields
        }


class ProductImportForm(forms.Form):
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 with a header row of the columns in the example below. A row whose SKU "
            "exists updates it."
        ),
    )


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), widget=forms.TextInput
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Order.Channel.choices)
    ordered_at = core_forms.DateTimeField(
        label=_("order date"),
        required=False,
        help_text=_("Leave empty for now."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Customer.objects.visible_to(user).active()
        field = self.fields["customer"]
        _choose(field, visible)
        field.widget = CustomerPicker(
            visible, attrs={"placeholder": _("Type part of a name or phone")}
        )


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=_("— choose a product —"),
    )
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=12, decimal_places=3, required=False, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("unit price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the list price."),
    )
    discount = forms.DecimalField(
        label=_("discount"), max_digits=14, decimal_places=2, required=False
    )

    def line_input(self) -> LineInput | None:
        data = self.cleaned_data
        if not data.get("product"):
            return None
        quantity: Decimal | None = data.get("quantity")
        return LineInput(
            product=data["product"].pk,
            quantity=quantity if quantity is not None else "",
            unit_price=data.get("unit_price"),
            discount=data.get("discount") or 0,
        )


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=4, max_num=100, absolute_max=100)


class RefundLineForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(
        label=_("quantity to return"),
        max_digits=12,
        decimal_places=3,
        required=False,
        min_value=0,
    )


def _stage_in_pipeline(stage: Stage) -> str:
    return f"{stage.pipeline.label} · {stage.label}"


class DealForm(core_forms.ModelForm[Deal]):
    stage = forms.ModelChoiceField(label=_("stage"), queryset=Stage.objects.none())

    class Meta:
        model = Deal
        fields = [
            "title",
            "customer",
            "stage",
            "amount",
            "expected_close",
            "owner",
            "source",
            "notes",
        ]
        widgets = {
            "notes": core_forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"amount": _("Filled from the products below when you add any.")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Customer.objects.visible_to(user).active()
        customer = self.fields["customer"]
        _choose(customer, visible)
        customer.widget = CustomerPicker(
            visible, attrs={"placeholder": _("Type part of a name or phone")}
        )
        stages = Stage.objects.select_related("pipeline").order_by(
            "pipeline__position", "pipeline_id", "position"
        )
        _choose(self.fields["stage"], stages, _stage_in_pipeline)
        _choose(self.fields["owner"], User.objects.filter(is_active=True).order_by("username"))
        if self.instance.pk:
            del self.fields["stage"]  # a deal moves on the board or with "Move", never here

    def deal_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "stage"}


class DealMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("move to"), queryset=Stage.objects.none())
    expected_stage = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason (won or lost)"), required=False, max_length=200)

    def __init__(self, *args: Any, pipeline_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(
            self.fields["stage"],
            Stage.objects.filter(pipeline_id=pipeline_id),
            lambda stage: stage.label,
        )


class LeadForm(forms.Form):
    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    nickname = forms.CharField(label=_("nickname"), max_length=50, required=False)
    company_name = forms.CharField(label=_("company"), max_length=200, required=False)
    job_title = forms.CharField(label=_("job title"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=254, required=False)
    message = forms.CharField(
        label=_("what they asked about"),
        required=False,
        max_length=5000,
        widget=core_forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.ChoiceField(label=_("source"), choices=Customer.Source.choices, required=False)
    campaign = forms.CharField(label=_("campaign"), max_length=100, required=False)


class LeadAssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("give to"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    team = forms.ModelChoiceField(
        label=_("or round-robin in team"), queryset=Team.objects.all(), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner") and not data.get("team"):
            raise forms.ValidationError(_("Choose a person or a team."))
        return data


class LeadConvertForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("becomes"),
        choices=[
            (Customer.Stage.PROSPECT, _("prospect")),
            (Customer.Stage.CUSTOMER, _("customer")),
        ],
        widget=forms.RadioSelect,
        initial=Customer.Stage.PROSPECT,
    )
    merge_into = forms.ModelChoiceField(
        label=_("the same as an existing customer?"),
        queryset=Customer.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("No, keep a record of their own"),
    )
    company_name = forms.CharField(
        label=_("their company (new)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for a private customer."),
    )
    deal_title = forms.CharField(
        label=_("open a deal"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for no deal."),
    )
    deal_amount = forms.DecimalField(
        label=_("deal amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    deal_stage = forms.ModelChoiceField(
        label=_("deal stage"), queryset=Stage.objects.none(), required=False
    )

    def __init__(self, *args: Any, duplicates: QuerySet[Customer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self.fields["merge_into"], duplicates, lambda c: c.display_name)
        stages = Stage.objects.filter(outcome=Stage.Outcome.OPEN).select_related("pipeline")
        _choose(self.fields["deal_stage"], stages, _stage_in_pipeline)
        if not duplicates:
            del self.fields["merge_into"]


class LeadDisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("why not"), max_length=200)


class PublicLeadForm(LeadForm):
    """The web-to-lead form: no login; a hidden field that people leave empty and bots fill."""

    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    consent = forms.BooleanField(label=_("You may contact me about my enquiry."), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "campaign", "job_title"):
            del self.fields[name]


class QuoteForm(forms.Form):
    valid_until = core_forms.DateField(label=_("valid until"))
    discount = forms.DecimalField(
        label=_("discount on the total (฿)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    language = forms.ChoiceField(
        label=_("language of the PDF"), choices=[("th", "ไทย"), ("en", "English")]
    )
    notes = forms.CharField(
        label=_("notes and terms"),
        required=False,
        max_length=3000,
        widget=core_forms.Textarea(attrs={"rows": 3}),
    )


class ProductivityForm(PeriodForm):
    """The period and team of the productivity report; every field may be left out."""

    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Any team")), *((team.pk, team.name) for team in teams)]
        cast(forms.ChoiceField, self.fields["team"]).choices = choices


class QuoteSendForm(forms.Form):
    """Send a quotation by e-mail (to one of the customer's addresses) or LINE. The rules
    (whose address, consent) are the service's; its errors come back beside the fields.
    ``key`` names this page's press of the button, so pressing twice sends once."""

    channel = forms.ChoiceField(
        choices=[("email", _("e-mail")), ("line", "LINE")], widget=forms.HiddenInput
    )
    to = forms.CharField(label=_("send to"), required=False, max_length=320)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].widget = forms.Select(choices=[(email, email) for email in emails])
        self.fields["key"].initial = uuid.uuid4().hex
        self.fields["channel"].initial = "email"
