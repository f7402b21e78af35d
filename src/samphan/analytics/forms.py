import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import User
from samphan.analytics.report_filters import report_customers, report_filter
from samphan.analytics.reports import KINDS as REPORT_KINDS
from samphan.core import periods
from samphan.core.forms import PeriodForm, choice_field, model_choice_field
from samphan.customers.models import Customer
from samphan.sales.models import Pipeline

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
    group = forms.ChoiceField(
        label=_("Customer groups"),
        required=False,
        choices=[
            ("", _("No groups")),
            ("tier", _("Tier")),
            ("tag", _("Tag")),
            ("segment", _("RFM segment")),
            ("industry", _("Industry")),
            ("province", _("Province")),
            ("channel", _("Sales channel")),
        ],
    )


class DashboardForm(PeriodForm):
    """The dashboard's period: this month unless chosen."""

    def fallback(self, today: dt.date) -> periods.Period:
        """Bad dates leave the dashboard on this month (the errors show by the fields)."""
        return periods.preset_period(self.default_period, today)


class FunnelForm(DashboardForm):
    """The period (last 90 days unless chosen) and the pipeline of the funnel report."""

    default_period = "last_90"
    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, pipelines: list[Pipeline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pipelines = {pipeline.pk: pipeline for pipeline in pipelines}
        choice_field(self, "pipeline").choices = [
            ("", _("Default pipeline")),
            *((pipeline.pk, pipeline.label) for pipeline in pipelines),
        ]

    def clean_pipeline(self) -> Pipeline | None:
        chosen = self.cleaned_data.get("pipeline")
        return self.pipelines.get(chosen) if chosen else None


class SegmentChoice(forms.Form):
    """A report narrowed to the customers of a saved segment, offered by the app that
    registered a report filter (marketing); without one the field is left out."""

    segment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Customers"),
        required=False,
        queryset=None,
        empty_label=_("All customers"),
        error_messages={"invalid_choice": _("That segment does not exist (any more).")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        registered = report_filter()
        if registered is None:
            del self.fields["segment"]
        else:
            model_choice_field(self, "segment").queryset = registered.choices(user)

    def segment_customers(self) -> QuerySet[Customer] | None:
        """The chosen segment's customers the user may see, or None for everyone."""
        return report_customers(self.user, self.cleaned_data.get("segment"))

    def segment_choices(self) -> list[tuple[Any, str]]:
        """The field's choices in one query ("All customers" first); none without a
        segment to choose."""
        if "segment" not in self.fields:
            return []
        field = model_choice_field(self, "segment")
        # iter(): list() of the choices themselves would count the rows first
        choices = list(iter(field.iterator(field)))
        return choices if len(choices) > 1 else []


class ReportForm(SegmentChoice, DashboardForm):
    """Which report, for which period (this month unless chosen), for which customers."""

    report = forms.ChoiceField(
        label=_("Report"), required=False, choices=list(REPORT_KINDS.items())
    )
