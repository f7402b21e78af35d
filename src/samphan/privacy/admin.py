"""Read-only: requests and breaches are written on their pages and through the API, whose
services keep the audit log."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from samphan.privacy.models import Breach, SubjectRequest


class ReadOnly[M: Breach | SubjectRequest](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubjectRequest)
class SubjectRequestAdmin(ReadOnly[SubjectRequest]):
    list_display = ("requester_name", "kind", "status", "received_on", "due_on", "handled_by")
    list_filter = ("kind", "status")
    search_fields = ("requester_name", "requester_contact")
    raw_id_fields = ("customer", "handled_by", "created_by")


@admin.register(Breach)
class BreachAdmin(ReadOnly[Breach]):
    list_display = ("what_happened", "found_at", "risk", "affected_count", "regulator_notified_at")
    list_filter = ("risk",)
    raw_id_fields = ("customers", "recorded_by")
