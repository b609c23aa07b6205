from django.urls import path

from keyprojects.plans import import_views as views

urlpatterns = [
    path("", views.import_upload, name="import_upload"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_job, name="import_job"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("<int:pk>/errors.xlsx", views.import_errors_report, name="import_errors_report"),
]
