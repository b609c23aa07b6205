from django.contrib import admin

from keyprojects.dashboard.models import DistrictBoundary


@admin.register(DistrictBoundary)
class DistrictBoundaryAdmin(admin.ModelAdmin):
    """Read-only here: boundaries are uploaded, checked and audited through the boundary pages."""

    list_display = ["organisation", "vertices", "original_name", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
