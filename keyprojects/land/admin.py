from django.contrib import admin

from keyprojects.land.models import LandProgress, LandTask


class LandProgressInline(admin.TabularInline):
    model = LandProgress
    extra = 0
    raw_id_fields = ["reported_by"]


@admin.register(LandTask)
class LandTaskAdmin(admin.ModelAdmin):
    list_display = ["project", "responsible_unit", "land_to_acquire", "households_to_relocate", "target_date"]
    list_select_related = ["project", "responsible_unit"]
    raw_id_fields = ["project"]
    search_fields = ["project__name"]
    inlines = [LandProgressInline]
