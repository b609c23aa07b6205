from django.contrib import admin

from keyprojects.coordination.models import EscalationLevel, Problem


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    """The ladder's names and time limits (the office also edits them on /problems/levels/)."""

    list_display = ["level", "name", "deadline_workdays"]
    ordering = ["level"]


# Problems are changed through their pages, where every step is scoped, logged, audited and notified;
# the admin site only shows them.
@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "category", "lead_unit", "level", "level_deadline", "status"]
    list_filter = ["status", "level", "category"]
    list_select_related = ["project", "lead_unit"]
    search_fields = ["title", "project__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
