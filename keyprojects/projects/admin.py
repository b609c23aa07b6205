from django.contrib import admin

from keyprojects.projects.models import Sector


# Projects are edited through the project pages, where every change is scoped, locked and audited;
# the admin site keeps only reference data.
@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "oc4ids_sector", "sort"]
