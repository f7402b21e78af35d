from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.loyalty.models import PointsEntry


class PointsForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=PointsEntry.Kind.choices)
    points = forms.IntegerField(label=_("Points"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
