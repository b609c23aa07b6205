from django.contrib import admin

from keyprojects.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr"]

    # The history is evidence: nobody edits or deletes it, not even an administrator.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
