from django.urls import path

from keyprojects.land import views

urlpatterns = [
    path("", views.land_ledger, name="land_ledger"),
    path("export.xlsx", views.land_export, name="land_export"),
    path("project/<int:project_id>/", views.land_project, name="land_project"),
    path("project/<int:project_id>/edit/", views.land_task_edit, name="land_task_edit"),
    path("project/<int:project_id>/progress/", views.land_progress_add, name="land_progress_add"),
    path("project/<int:project_id>/raise/", views.land_raise_problem, name="land_raise_problem"),
]
