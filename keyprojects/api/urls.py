from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from keyprojects.api import page_views, views

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register("sectors", views.SectorViewSet, basename="api-sector")
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register("entries", views.EntryViewSet, basename="api-entry")
router.register("reports", views.ReportViewSet, basename="api-report")
router.register("tasks", views.TaskViewSet, basename="api-task")
router.register("problems", views.ProblemViewSet, basename="api-problem")
router.register("warnings", views.WarningViewSet, basename="api-warning")
router.register("oc4ids", views.Oc4idsViewSet, basename="api-oc4ids")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The browsable documentation is a page: people who are not signed in go to the login page.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    # Redoc was dropped: its bundle always fetches its maker's logo from the internet. Old links land on
    # Swagger UI, which shows the same schema from local files only.
    path(
        "redoc/",
        login_required(require_GET(RedirectView.as_view(pattern_name="api-docs"))),
        name="api-redoc",
    ),
    path("tokens/", page_views.token_list, name="api-token-list"),
    path("tokens/<int:pk>/revoke/", page_views.token_revoke, name="api-token-revoke"),
    path("", include(router.urls)),
]
