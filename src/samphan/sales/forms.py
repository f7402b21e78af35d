from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.customers.forms import CustomerPicker
from samphan.customers.models import Customer
from samphan.sales.models import Order, Product
from samphan.sales.services import LineInput

MAX_CSV_BYTES = 5 * 1024 * 1024


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "name_en",
            "category",
            "unit",
            "list_price",
            "unit_cost",
            "price_includes_vat",
            "is_active",
            "photo",
        ]

    def product_fields(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "photo" and name in self.fields
        }


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 with a header row: sku, name, name_en, category, unit, list_price, "
            "unit_cost, price_includes_vat, is_active. A row whose SKU exists updates it."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), widget=forms.TextInput
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Order.Channel.choices)
    ordered_at = forms.DateTimeField(
        label=_("order date"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Customer.objects.visible_to(user).active()
        field = self.fields["customer"]
        field.queryset = visible  # type: ignore[attr-defined]
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
        return LineInput(
            product=data["product"].pk,
            quantity=data.get("quantity") if data.get("quantity") is not None else "",
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
