"""The sections of support's settings page: for each kind of setting, its address, form,
permissions and the columns its list shows. ``settings_views.py`` serves every section
with the same three views (list, add or edit, delete) from this table."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext, pgettext

from samphan.accounts.models import User
from samphan.core.dates import format_date
from samphan.core.durations import format_duration, format_working_minutes
from samphan.support import settings_forms as setting_forms
from samphan.support.models import (
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Priority,
    Schedule,
    SlaPolicy,
    SurveySettings,
    TicketTag,
)
from samphan.support.settings_services import schedule_whose

RECENT_CLOSED_DAYS = 10  # past closed days listed after the coming ones
RANK = {priority: rank for rank, priority in enumerate(Priority.values)}  # low … urgent


@dataclass(frozen=True)
class Column:
    label: str | Promise
    text: Callable[[Any], str]
    detail: Callable[[Any], str] | None = None  # a second, smaller line
    phone: bool = True  # shown on a phone too
    lang: Callable[[Any], str] | None = None  # the text's language, when it is data


@dataclass(frozen=True)
class Section:
    slug: str
    model: type[models.Model]
    form: type[forms.ModelForm[Any]]
    label: str | Promise
    about: str | Promise
    columns: tuple[Column, ...]
    rows: Callable[[], list[Any]]
    one_row: bool = False  # edited, never added or deleted
    fields_template: str = "_form_fields.html"

    def perm(self, action: str) -> str:
        return f"support.{action}_{self.model._meta.model_name}"

    def may(self, user: User, action: str) -> bool:
        if self.one_row and action != "change":
            return False
        return user.has_perm(self.perm(action))


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def week_text(schedule: Schedule) -> str:
    """Days in a row with the same hours together: "จ.–ศ. 09:00–18:00, ส. 10:00–14:00"."""
    runs: list[list[Any]] = []  # [first day, last day, hours]
    for day, hours in sorted(schedule.days().items()):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1][1] = day
        else:
            runs.append([day, day, hours])
    if not runs:
        return _("closed every day")
    parts = []
    for first, last, (opens, closes) in runs:
        days = str(WEEKDAYS_ABBR[first])
        if last != first:
            days += f"–{WEEKDAYS_ABBR[last]}"
        parts.append(f"{days} {opens:%H:%M}–{closes:%H:%M}")
    return ", ".join(parts)


def minutes(value: int) -> str:
    return npgettext("duration", "%(count)d minute", "%(count)d minutes", value) % {"count": value}


def sla_column(label: str | Promise, field: str, *, phone: bool = True) -> Column:
    return Column(
        label,
        lambda policy: format_working_minutes(getattr(policy, field)),
        # The minutes as typed, where the hours read otherwise.
        detail=lambda policy: (
            minutes(getattr(policy, field)) if getattr(policy, field) >= 60 else ""
        ),
        phone=phone,
    )


def closed_days() -> list[ClosedDay]:
    """The coming closed days, soonest first, then the latest past ones."""
    today = timezone.localdate()
    days = ClosedDay.objects.select_related("schedule__team")
    coming = list(days.filter(date__gte=today).order_by("date"))
    return coming + list(days.filter(date__lt=today).order_by("-date")[:RECENT_CLOSED_DAYS])


def survey_asks(settings: SurveySettings) -> str:
    asked = [name for name in ("after_ticket", "after_purchase") if getattr(settings, name)]
    labels = [str(getattr(SurveySettings, name).field.verbose_name) for name in asked]
    return ", ".join(labels) or pgettext("surveys", "never")


SECTIONS: tuple[Section, ...] = (
    Section(
        "hours",
        Schedule,
        setting_forms.ScheduleForm,
        gettext_lazy("Business hours"),
        gettext_lazy(
            "SLA times count only while the ticket's team works: its own hours, else the "
            "business's."
        ),
        (
            Column(gettext_lazy("Team"), schedule_whose),
            Column(gettext_lazy("Opening hours"), week_text),
            Column(
                gettext_lazy("Closed on public holidays"),
                lambda schedule: yes_no(schedule.public_holidays),
                phone=False,
            ),
        ),
        lambda: list(Schedule.objects.select_related("team").order_by("team__name")),
        fields_template="support/_schedule_fields.html",
    ),
    Section(
        "closed-days",
        ClosedDay,
        setting_forms.ClosedDayForm,
        gettext_lazy("Closed days"),
        gettext_lazy("Days off besides Thai public holidays: a company trip, a stocktake."),
        (
            Column(gettext_lazy("Date"), lambda day: format_date(day.date)),
            Column(gettext_lazy("Why"), lambda day: day.name),
            Column(
                gettext_lazy("Team"),
                lambda day: schedule_whose(day.schedule) if day.schedule else _("every team"),
                phone=False,
            ),
        ),
        closed_days,
    ),
    Section(
        "sla",
        SlaPolicy,
        setting_forms.SlaPolicyForm,
        gettext_lazy("Service promises (SLA)"),
        gettext_lazy(
            "How soon tickets are answered and resolved, in working time, by priority and "
            "customer tier."
        ),
        (
            Column(
                gettext_lazy("Priority"),
                lambda policy: policy.get_priority_display(),
                detail=lambda policy: policy.get_tier_display() or _("any tier"),
            ),
            sla_column(gettext_lazy("First response"), "first_response_minutes"),
            sla_column(gettext_lazy("Next response"), "next_response_minutes", phone=False),
            sla_column(gettext_lazy("Resolved within"), "resolution_minutes"),
        ),
        lambda: sorted(
            SlaPolicy.objects.all(), key=lambda policy: (RANK[policy.priority], policy.tier)
        ),
    ),
    Section(
        "categories",
        Category,
        setting_forms.CategoryForm,
        gettext_lazy("Ticket categories"),
        gettext_lazy("What a ticket is about; the reports count tickets by category."),
        (
            Column(gettext_lazy("Name"), lambda category: category.name),
            Column(gettext_lazy("English name"), lambda category: category.name_en),
        ),
        lambda: list(Category.objects.all()),
    ),
    Section(
        "tags",
        TicketTag,
        setting_forms.TicketTagForm,
        gettext_lazy("Ticket tags"),
        gettext_lazy("Labels staff put on tickets to find them again."),
        (Column(gettext_lazy("Name"), lambda tag: tag.name),),
        lambda: list(TicketTag.objects.all()),
    ),
    Section(
        "canned-replies",
        CannedReply,
        setting_forms.CannedReplyForm,
        gettext_lazy("Canned replies"),
        gettext_lazy("Replies staff start from, filled in for the ticket at hand."),
        (
            Column(gettext_lazy("Title"), lambda reply: reply.title, lang=lambda r: r.language),
            Column(gettext_lazy("Language"), lambda reply: reply.get_language_display()),
        ),
        lambda: list(CannedReply.objects.all()),
    ),
    Section(
        "assignment",
        AssignmentRule,
        setting_forms.AssignmentRuleForm,
        gettext_lazy("Assignment rules"),
        gettext_lazy(
            "How a new ticket without an assignee finds one. Without a rule it waits in Unassigned."
        ),
        (
            Column(
                gettext_lazy("Team"),
                lambda rule: rule.team.name if rule.team else _("tickets without a team"),
            ),
            Column(gettext_lazy("Assign"), lambda rule: rule.get_mode_display()),
        ),
        lambda: list(AssignmentRule.objects.select_related("team").order_by("team__name")),
    ),
    Section(
        "surveys",
        SurveySettings,
        setting_forms.SurveySettingsForm,
        gettext_lazy("Satisfaction surveys"),
        gettext_lazy("When customers are asked how satisfied they are."),
        (
            Column(gettext_lazy("Ask"), survey_asks),
            Column(
                gettext_lazy("Wait"),
                lambda settings: format_duration(dt.timedelta(hours=settings.delay_hours)),
            ),
            Column(
                gettext_lazy("Channel"),
                lambda settings: (
                    settings.get_channel_display() or _("the customer's preferred channel")
                ),
                phone=False,
            ),
            Column(
                gettext_lazy("Ticket for an unhappy answer"),
                lambda settings: yes_no(settings.ticket_when_unhappy),
                phone=False,
            ),
        ),
        lambda: list(SurveySettings.objects.order_by("pk")[:1]),
        one_row=True,
    ),
)
BY_SLUG = {section.slug: section for section in SECTIONS}


def sections_for(user: User) -> list[Section]:
    """The sections ``user`` may change (the page answers 403 when there are none)."""
    return [section for section in SECTIONS if section.may(user, "change")]
