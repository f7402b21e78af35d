from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from samphan.accounts.models import ApiToken, Role, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Samphan", {"fields": ("team", "language", "buddhist_era")}),
    )
    list_display = ("username", "first_name", "last_name", "team", "is_active")
    list_filter = ("team", "groups", "is_active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    search_fields = ("name", "name_en")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("group", "scope")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("hint", "user", "name", "expires_at", "last_used_at")
    readonly_fields = ("key_hash", "hint", "last_used_at")
