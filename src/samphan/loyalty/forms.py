from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.core.forms import ModelForm
from samphan.loyalty.models import WEEKDAYS, EarningRule, PointsEntry, Programme, Reward
from samphan.loyalty.services.rules import PROGRAMME_FIELDS
from samphan.sales.models import Product

STAFF_CHOICES = [(PointsEntry.Kind.REDEEM, _("redeem")), (PointsEntry.Kind.ADJUST, _("adjust"))]


class PointsForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=STAFF_CHOICES)
    points = forms.IntegerField(label=_("Points"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ProgrammeForm(ModelForm[Programme]):
    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS


class RuleForm(ModelForm[EarningRule]):
    """An earning rule; the days of the week as boxes (kept as a bitmask, Monday = 1)."""

    days = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=[(str(1 << n), label) for n, label in enumerate(WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )

    class Meta:
        model = EarningRule
        fields = [
            "name", "multiplier", "bonus_points", "channel", "tier", "product", "category",
            "birthday_month", "first_purchase", "min_spend", "starts_on", "ends_on", "is_active",
        ]  # fmt: skip
        labels = {"is_active": _("Switched on")}

    field_order = [
        "name", "multiplier", "bonus_points", "channel", "tier", "product", "category", "days",
        "birthday_month", "first_purchase", "min_spend", "starts_on", "ends_on", "is_active",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = cast(forms.ModelChoiceField[Product], self.fields["product"])
        product.queryset = Product.objects.filter(is_active=True).order_by("name")
        self.fields["channel"].help_text = _("Empty: any channel.")
        self.fields["tier"].help_text = _("Empty: any tier.")
        self.fields["product"].help_text = _("Empty: the whole order. Or a product, or a category.")
        if self.instance.pk:
            self.initial["days"] = [
                str(1 << n) for n in range(7) if self.instance.weekdays & (1 << n)
            ]

    def fields_cleaned(self) -> dict[str, Any]:
        """What ``rule_save`` takes: the model's fields, the days as the bitmask."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["weekdays"] = sum(self.cleaned_data.get("days") or [])
        return data


class RewardForm(ModelForm[Reward]):
    class Meta:
        model = Reward
        fields = [
            "name", "name_en", "description", "points", "cash", "stock", "per_member",
            "min_tier", "starts_on", "ends_on", "voucher_days", "image", "is_active",
        ]  # fmt: skip


class VoucherUseForm(forms.Form):
    code = forms.CharField(label=_("Voucher code"), max_length=20)
