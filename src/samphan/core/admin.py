from django.contrib import admin

from samphan.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log is append-only: readable here, never editable."""

    list_display = ("at", "actor", "action", "subject_type", "subject_id", "customer_id")
    list_filter = ("action", "subject_type")
    search_fields = ("=customer_id", "=subject_id")
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
