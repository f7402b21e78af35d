"""Support's settings in the Django admin, for administrators. Staff set them in the app
at /support/settings/ (``settings_views.py``), whose services audit every change; the
admin writes without an audit row. Tickets are written through the app only, whose
services keep the SLA clock and the audit log."""

from django.contrib import admin
from django.http import HttpRequest

from samphan.support.models import (
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


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "team", "public_holidays")
    # The week as rows of two times, Monday first.
    fields = ("name", "team", "public_holidays", *((f"{d}_opens", f"{d}_closes") for d in WEEKDAYS))


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin[ClosedDay]):
    list_display = ("date", "name", "schedule")
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = (
        "priority", "tier", "first_response_minutes", "next_response_minutes", "resolution_minutes",
    )  # fmt: skip


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "name_en")
    search_fields = ("name", "name_en")


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin[CannedReply]):
    list_display = ("title", "language")
    list_filter = ("language",)
    search_fields = ("title", "body")


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin[AssignmentRule]):
    list_display = ("team", "mode", "last_user")
    fields = ("team", "mode")


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin[SurveySettings]):
    """The one row a migration made: changed, never added or deleted."""

    list_display = ("__str__", "after_ticket", "after_purchase", "delay_hours", "channel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TicketTag)
class TicketTagAdmin(admin.ModelAdmin[TicketTag]):
    search_fields = ("name",)
