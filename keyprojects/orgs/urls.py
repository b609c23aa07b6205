from django.urls import path

from keyprojects.orgs import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/aliases/", views.organisation_alias_add, name="organisation_alias_add"),
    path("aliases/<int:pk>/delete/", views.organisation_alias_remove, name="organisation_alias_remove"),
]

# The organisations and users import (orgs/bulk.py).
from keyprojects.orgs import bulk_views  # noqa: E402

urlpatterns += [
    path("import/", bulk_views.organisation_import, name="organisation_import"),
    path("import/apply/", bulk_views.organisation_import_apply, name="organisation_import_apply"),
    path(
        "import/template.xlsx", bulk_views.organisation_import_template, name="organisation_import_template"
    ),
]
