import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.core import forms as core_forms
from samphan.core.uploads import CsvFileField
from samphan.marketing.models import Campaign, Segment


class SegmentForm(forms.Form):
    """A segment's name and kind; its rules come from the builder as JSON (checked by
    ``services.segment_save``, which names the bad part)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("What it is for"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Segment.Kind.choices,
        initial=Segment.Kind.RULES,
        widget=forms.RadioSelect,
        help_text=_("Rules pick customers as they are now; a static list holds whom you add."),
    )
    rules = forms.CharField(
        label=_("Rules (JSON)"),
        required=False,
        max_length=20_000,
        widget=core_forms.Textarea(attrs={"rows": 4, "data-rules-json": "", "spellcheck": "false"}),
    )

    def clean_rules(self) -> dict[str, Any]:
        raw = self.cleaned_data["rules"].strip()
        if not raw:
            return {"match": "all", "rules": []}
        try:
            rules = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("The rules are not valid JSON.")) from None
        if not isinstance(rules, dict):
            raise forms.ValidationError(_("The rules are not valid JSON."))
        return rules


class MembersImportForm(forms.Form):
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "One customer a row, by a column customer_id, member_number, mobile, phone or email."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Add the rows found and skip the others"), required=False
    )


class CampaignForm(core_forms.ModelForm[Campaign]):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "segment",
            "channel",
            "holdout_percent",
            "conversion_days",
            "baseline_percent",
            "effect_points",
        ]


class VariantForm(forms.Form):
    share = forms.IntegerField(label=_("Share"), min_value=1, max_value=100, initial=50)
    subject_th = forms.CharField(label=_("Subject (Thai)"), max_length=200, required=False)
    text_th = forms.CharField(
        label=_("Message (Thai)"),
        max_length=5000,
        required=False,
        widget=core_forms.Textarea(attrs={"rows": 5, "lang": "th"}),
        help_text=_(
            "You may write {{ greeting }} (คุณแอน, or Ms Smith in English), {{ nickname }}, {{ first_name }}, {{ name }}, {{ tier }}, {{ points }}, {{ member_number }} and {{ product }} (a product they have not bought yet). Links are tracked."
        ),
    )
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    text_en = forms.CharField(
        label=_("Message (English)"),
        max_length=5000,
        required=False,
        widget=core_forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        help_text=_("For customers with a Latin name only; leave empty to send Thai to all."),
    )


VariantFormSet = forms.formset_factory(
    VariantForm, extra=0, min_num=1, max_num=5, validate_max=True
)


class ScheduleForm(forms.Form):
    at = core_forms.DateTimeField(
        label=_("Send at"),
        required=False,
        help_text=_("Empty: now."),
    )
