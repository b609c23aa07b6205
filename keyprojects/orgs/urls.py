from django.urls import path

from keyprojects.orgs import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/aliases/", views.organisation_alias_add, name="organisation_alias_add"),
    path("aliases/<int:pk>/delete/", views.organisation_alias_remove, name="organisation_alias_remove"),
    path("leaders/", views.city_leader_list, name="city_leader_list"),
    path("leaders/add/", views.city_leader_add, name="city_leader_add"),
    path("leaders/<int:pk>/", views.city_leader_detail, name="city_leader_detail"),
    path("leaders/<int:pk>/edit/", views.city_leader_edit, name="city_leader_edit"),
    path("leaders/<int:pk>/account/", views.city_leader_account, name="city_leader_account"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
]

# Login lockouts (orgs/lockouts.py).
from keyprojects.orgs import lockout_views  # noqa: E402

urlpatterns += [
    path("lockouts/", lockout_views.lockout_list, name="lockout_list"),
    path("lockouts/release/", lockout_views.lockout_release, name="lockout_release"),
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
