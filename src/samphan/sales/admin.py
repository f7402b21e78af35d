"""Configuration lives in the admin: pipelines and their stages, product categories.

Orders, deals, leads and quotations are written through the app and the API, whose
services keep roll-ups, stage history and the audit log; the admin shows them read-only.
"""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from samphan.sales.models import Category, Deal, Lead, Order, Pipeline, Quote, Stage


class StageInline(admin.TabularInline[Stage, Pipeline]):
    model = Stage
    extra = 1
    fields = ("position", "name", "name_en", "probability", "outcome")
    ordering = ("position",)


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin[Pipeline]):
    list_display = ("name", "name_en", "is_default", "position")
    list_editable = ("position",)
    inlines = [StageInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "name_en")
    search_fields = ("name", "name_en")


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin[Order]):
    list_display = ("number", "customer", "ordered_at", "channel", "status", "total")
    list_filter = ("status", "channel")
    search_fields = ("number", "external_id")
    raw_id_fields = ("customer", "sold_by")


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin[Deal]):
    list_display = ("title", "customer", "stage", "amount", "owner")
    list_filter = ("pipeline", "stage")
    search_fields = ("title",)
    raw_id_fields = ("customer", "owner")


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin[Lead]):
    list_display = ("customer", "status", "source", "campaign", "owner", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("customer", "owner", "deal")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin[Quote]):
    list_display = ("number", "customer", "status", "total", "valid_until")
    list_filter = ("status",)
    search_fields = ("number",)
    raw_id_fields = ("customer", "deal", "order")
