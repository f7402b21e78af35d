import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from samphan.core import periods
from samphan.core.forms import PeriodForm

LIMITS = (10, 20, 50, 100)


class TopCustomersForm(PeriodForm):
    """The period, the measure and how many customers; every field may be left out."""

    default_period = "last_12_months"
    by = forms.ChoiceField(
        label=_("Rank by"),
        required=False,
        choices=[("revenue", _("Revenue")), ("profit", _("Profit"))],
    )
    limit = forms.TypedChoiceField(
        label=_("Show"),
        required=False,
        coerce=int,
        empty_value=10,  # type: ignore[arg-type]  # the stubs say str; any value works
        choices=[(limit, _("Top %(count)s") % {"count": limit}) for limit in LIMITS],
    )


class DashboardForm(PeriodForm):
    """The dashboard's period: this month unless chosen."""

    def fallback(self, today: dt.date) -> periods.Period:
        """Bad dates leave the dashboard on this month (the errors show by the fields)."""
        return periods.preset_period(self.default_period, today)
