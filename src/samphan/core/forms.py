"""Form pieces shared by several apps.

Every form of the app takes its dates, date-times and long texts from here, so what a
page shows is what it reads back: a form saved unchanged changes nothing.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core import dates, periods


class Textarea(forms.Textarea):
    """Browsers send a textarea's lines ended by CRLF (the HTML standard says so); they are
    kept as LF, once, here, so text saved unchanged stays byte for byte the same."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value


class DateInput(forms.TextInput):
    """A day typed as the reader writes it (``23/05/2526`` in the Buddhist era, or
    ``23/05/1983``), with a button that opens the browser's calendar (static/js/app.js).

    Not ``<input type="date">``: its value must be ISO, and a value in any other format,
    such as the Thai locale's, is silently dropped by the browser."""

    template_name = "core/widgets/date_input.html"
    picker_type = "date"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dates.date_text(value)
        shown: str | None = super().format_value(value)  # typed text shown back as it was
        return shown

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        attrs.setdefault("placeholder", self.placeholder())
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_type"] = self.picker_type
        context["widget"]["era"] = "be" if dates.buddhist_era_preference.get() else "ce"
        return context

    @staticmethod
    def placeholder() -> str:
        if dates.buddhist_era_preference.get():
            return str(_("dd/mm/yyyy B.E."))
        return str(_("dd/mm/yyyy"))


class DateTimeInput(DateInput):
    """A day and a time, ``23/05/2526 14:30``, in local time."""

    picker_type = "datetime-local"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            return dates.datetime_text(value)
        shown: str | None = super().format_value(value)
        return shown

    @staticmethod
    def placeholder() -> str:
        if dates.buddhist_era_preference.get():
            return str(_("dd/mm/yyyy B.E. hh:mm"))
        return str(_("dd/mm/yyyy hh:mm"))


class HiddenDateTimeInput(forms.HiddenInput):
    """A form's hidden initial value of a date-time, written as the visible field writes it
    (Django's ``str()`` of an aware time is not a text the field reads back)."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            return dates.datetime_text(value)
        shown: str | None = super().format_value(value)
        return shown


class DateField(forms.DateField):
    """A day in either era (see :func:`samphan.core.dates.parse_date_text`)."""

    widget = DateInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dates.parse_date_text(str(value))
        except dates.DateTextError as error:
            raise ValidationError(str(error), code="invalid") from None


class DateTimeField(forms.DateTimeField):
    """A day and a time in either era, read in the current time zone."""

    widget = DateTimeInput
    hidden_widget = HiddenDateTimeInput

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        if isinstance(value, dt.date):
            return timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        try:
            return timezone.make_aware(dates.parse_datetime_text(str(value)))
        except dates.DateTextError as error:
            raise ValidationError(str(error), code="invalid") from None


def model_form_field(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field of a model field, with this module's dates and text areas."""
    if isinstance(field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    elif isinstance(field, models.TextField) and not field.choices:
        kwargs.setdefault("widget", Textarea)
    return field.formfield(**kwargs)


class _ModelFormMetaclass(forms.models.ModelFormMetaclass):
    # Django reads the callback from each form's own Meta, which a subclass writes anew.
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(model_form_field)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm[M: models.Model](forms.ModelForm[M], metaclass=_ModelFormMetaclass):
    """The base of every model form: dates and long texts read back as they were shown."""


class PeriodForm(forms.Form):
    """A reporting period: a preset around today, or custom dates; all may be left out."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[*periods.PRESETS.items(), (periods.CUSTOM, _("Custom dates"))],
    )
    since = DateField(label=_("From"), required=False)
    until = DateField(label=_("to"), required=False)
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


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The form's field ``name`` as the model choice field it is (``form.fields`` is typed
    as plain ``Field``s), for a form that narrows its ``queryset``."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name`` as the choice field it is, for a form that sets its
    ``choices``."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field
