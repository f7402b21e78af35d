"""The forms of support's settings pages (``settings_views.py``), one per kind of setting.
Each catches what the database's constraints would refuse and says so next to the field,
since a constraint's own message ("Constraint … is violated") tells a shop owner nothing."""

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from samphan.accounts.models import Team
from samphan.core import forms as core_forms
from samphan.core.forms import choice_field, model_choice_field
from samphan.customers.models import Customer
from samphan.support.models import (
    WEEKDAY_LABELS,
    WEEKDAYS,
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Schedule,
    SlaPolicy,
    SurveySettings,
    TicketTag,
)
from samphan.support.settings_services import FIELDS, schedule_whose

BRACED = re.compile(r"\{([^{}\s]+)\}")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")  # what <input type="time"> holds


class ScheduleChoiceField(forms.ModelChoiceField[Schedule]):
    def label_from_instance(self, obj: Schedule) -> str:
        return schedule_whose(obj)


class ScheduleForm(core_forms.ModelForm[Schedule]):
    """The week as seven rows of two times; whose hours they are is chosen once, when
    they are made."""

    class Meta:
        model = Schedule
        fields = FIELDS[Schedule]
        widgets = {
            name: TimeInput() for name in FIELDS[Schedule] if name.endswith(("_opens", "_closes"))
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["team"]
        else:  # the teams without hours (none chosen: the business's, when it has none)
            model_choice_field(self, "team").queryset = Team.objects.filter(
                support_schedule__isnull=True
            )
        for field in self.fields.values():
            if isinstance(field.widget, TimeInput):  # its visible label is the row's day
                field.widget.attrs["aria-label"] = field.label

    def head(self) -> list[BoundField]:
        return [self[name] for name in ("name", "team", "public_holidays") if name in self.fields]

    def week(self) -> list[tuple[str, BoundField, BoundField]]:
        return [
            (str(label), self[f"{day}_opens"], self[f"{day}_closes"])
            for day, label in zip(WEEKDAYS, WEEKDAY_LABELS, strict=True)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in WEEKDAYS:
            opens, closes = f"{day}_opens", f"{day}_closes"
            if opens in self.errors or closes in self.errors:
                continue
            if (data.get(opens) is None) != (data.get(closes) is None):
                empty = opens if data.get(opens) is None else closes
                self.add_error(empty, _("Give both times, or neither for a closed day."))
            elif data.get(opens) is not None and data[closes] <= data[opens]:
                self.add_error(closes, _("Must be after the opening time."))
        business = "team" in self.fields and data.get("team") is None and "team" not in self.errors
        if business and Schedule.objects.filter(team=None).exists():
            self.add_error("team", _("The business has its hours already: choose a team."))
        return data


class ClosedDayForm(core_forms.ModelForm[ClosedDay]):
    class Meta:
        model = ClosedDay
        fields = FIELDS[ClosedDay]
        field_classes = {"schedule": ScheduleChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schedule = model_choice_field(self, "schedule")
        schedule.queryset = Schedule.objects.select_related("team")
        schedule.empty_label = _("every team")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and "schedule" not in self.errors:
            same = ClosedDay.objects.filter(date=data["date"], schedule=data.get("schedule"))
            if same.exclude(pk=self.instance.pk).exists():
                self.add_error("date", _("This day is closed already."))
        return data


# Django's own "… with this … already exists." reads badly in Thai: each form says it.
class SlaPolicyForm(core_forms.ModelForm[SlaPolicy]):
    class Meta:
        model = SlaPolicy
        fields = FIELDS[SlaPolicy]
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": _("There is a policy for this priority and tier already.")
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "tier").choices = [("", _("any tier")), *Customer.Tier.choices]


class CategoryForm(core_forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = FIELDS[Category]
        error_messages = {"name": {"unique": _("There is a category with this name already.")}}


class TicketTagForm(core_forms.ModelForm[TicketTag]):
    class Meta:
        model = TicketTag
        fields = FIELDS[TicketTag]
        error_messages = {"name": {"unique": _("There is a tag with this name already.")}}


class CannedReplyForm(core_forms.ModelForm[CannedReply]):
    class Meta:
        model = CannedReply
        fields = FIELDS[CannedReply]
        labels = {"title": _("Title")}  # the model's "title" is a person's in Thai (คำนำหน้าชื่อ)
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": _("There is a reply with this title in this language already.")
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        # The placeholders as code, so they read as what to type, not as words.
        body.help_text = mark_safe(  # noqa: S308 - escaped first
            BRACED.sub(r"<code>{\1}</code>", escape(str(body.help_text)))
        )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = [name for name in BRACED.findall(body) if name not in CannedReply.PLACEHOLDERS]
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder %(unknown)s: use {name}, {ticket}, {agent} or {shop}."),
                params={"unknown": ", ".join(f"{{{name}}}" for name in dict.fromkeys(unknown))},
            )
        return body


class AssignmentRuleForm(core_forms.ModelForm[AssignmentRule]):
    class Meta:
        model = AssignmentRule
        fields = FIELDS[AssignmentRule]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = model_choice_field(self, "team")
        free = Q(assignmentrule__isnull=True) | Q(pk=self.instance.team_id)
        team.queryset = Team.objects.filter(free)
        team.empty_label = _("tickets without a team")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("team") is None and "team" not in self.errors:
            others = AssignmentRule.objects.filter(team=None).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("team", _("Tickets without a team have a rule already."))
        return data


class SurveySettingsForm(core_forms.ModelForm[SurveySettings]):
    class Meta:
        model = SurveySettings
        fields = FIELDS[SurveySettings]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = SurveySettings._meta.get_field("channel").flatchoices
        choice_field(self, "channel").choices = [
            ("", _("the customer's preferred channel")),
            *(choice for choice in channels if choice[0]),
        ]
