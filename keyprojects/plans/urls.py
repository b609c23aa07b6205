from django.urls import include, path

from keyprojects.plans import views

# One URL module per area of the app, so each area can change without touching the others.
urlpatterns = [
    path("", views.annual_list, name="annual_list"),
    path("", include("keyprojects.plans.list_urls")),
    path("import/", include("keyprojects.plans.import_urls")),
    path("reports/", include("keyprojects.plans.report_urls")),
    path("completion/", include("keyprojects.plans.completion_urls")),
]
