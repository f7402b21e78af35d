"""Form pieces shared by several apps."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samphan.core import periods


class PeriodForm(forms.Form):
    """A reporting period: a preset around today, or custom dates; all may be left out."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[*periods.PRESETS.items(), (periods.CUSTOM, _("Custom dates"))],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    default_period = "this_month"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == periods.CUSTOM:
            since, until = data.get("since"), data.get("until")
            if since is None and "since" not in self.errors:
                self.add_error("since", _("Enter the first day."))
            if until is None and "until" not in self.errors:
                self.add_error("until", _("Enter the last day."))
            if since and until:
                for name, message in periods.period_errors(since, until).items():
                    self.add_error(name, message)
        return data

    def chosen_period(self, today: dt.date) -> periods.Period:
        """A preset around ``today`` (the default one when none is chosen), or the custom
        dates."""
        data = self.cleaned_data
        if data.get("period") == periods.CUSTOM:
            return periods.Period(data["since"], data["until"])
        return periods.preset_period(data.get("period") or self.default_period, today)


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's field errors onto the form: on the field when it has one, else on top."""
    for name, field_errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_errors)
