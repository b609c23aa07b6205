from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from keyprojects.orgs.models import Organisation, OrganisationAlias, User


class OrganisationAliasInline(admin.TabularInline):
    """Read-only here: adding goes through orgs.services (no two organisations share a name, and the
    change is kept in the history), on the organisation's page /orgs/<pk>/."""

    model = OrganisationAlias
    fields = ["name", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    inlines = [OrganisationAliasInline]
    list_display = ["name", "kind", "short_name", "code", "district", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "aliases__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("单位与角色"), {"fields": ["organisation", "role", "full_name", "title", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("单位与角色"), {"fields": ["organisation", "role", "full_name"]}),
    ]
