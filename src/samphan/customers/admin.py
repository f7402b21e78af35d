from django.contrib import admin

from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomFieldDefinition,
    Interaction,
    Interest,
    Tag,
)


@admin.register(Tag, Interest)
class NameAdmin(admin.ModelAdmin[Tag | Interest]):
    search_fields = ("name",)


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin[CustomFieldDefinition]):
    list_display = ("key", "label", "label_en", "field_type", "position")
    list_editable = ("position",)


class ContactPointInline(admin.TabularInline[ContactPoint, Customer]):
    model = ContactPoint
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    """Read-mostly: staff edit customers in the app, whose services write the audit log."""

    list_display = ("display_name", "kind", "stage", "tier", "is_vip", "owner", "archived_at")
    list_filter = ("kind", "stage", "tier", "is_vip")
    search_fields = ("display_name", "member_number")
    raw_id_fields = ("company", "referred_by", "owner", "team", "created_by")
    readonly_fields = [field.name for field in Customer._meta.concrete_fields]
    inlines = [ContactPointInline]
    show_full_result_count = False  # counting a million rows on every page is slow

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin[ConsentRecord]):
    list_display = ("customer", "channel", "purpose", "status", "at", "source")
    list_filter = ("channel", "purpose", "status")
    raw_id_fields = ("customer", "recorded_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ("customer", "kind", "occurred_at", "user", "summary")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "user")
