from django.contrib import admin

from keyprojects.plans.models import AnnualEntry, AnnualList, Batch


class BatchInline(admin.TabularInline):
    model = Batch
    extra = 0
    # Publishing goes through the batch page: it sets the baseline of every entry and is audited.
    fields = ["number", "name", "status", "published_at", "published_by"]
    readonly_fields = ["status", "published_at", "published_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualList)
class AnnualListAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "report_deadline_workdays", "created_at"]
    # Set on the office's settings page (系统设置), which applies it to this year's list and later ones.
    readonly_fields = ["report_deadline_workdays"]
    inlines = [BatchInline]


# Entries are written through the list pages, where every change is scoped, locked and audited;
# the admin site only shows them.
@admin.register(AnnualEntry)
class AnnualEntryAdmin(admin.ModelAdmin):
    list_display = ["project", "annual_list", "category", "batch", "planned_investment"]
    list_filter = ["annual_list", "category", "batch__status"]
    list_select_related = ["project", "annual_list", "batch"]
    search_fields = ["project__name", "project__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
