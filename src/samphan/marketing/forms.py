import json

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.marketing.models import Segment


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
        widget=forms.Textarea(attrs={"rows": 4, "data-rules-json": "", "spellcheck": "false"}),
    )

    def clean_rules(self) -> dict:
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
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One customer a row, by a column customer_id, member_number, mobile, phone or email."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Add the rows found and skip the others"), required=False
    )
