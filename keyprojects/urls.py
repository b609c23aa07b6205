from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from keyprojects.dashboard import project_views
from keyprojects.dashboard import views as dashboard_views
from keyprojects.orgs import views as org_views


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to."""
    return redirect(static("keyprojects/favicon.ico"))


urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", org_views.account, name="account"),
    path("account/password/", org_views.password_change, name="password_change"),
    path("settings/office/", org_views.office_settings_edit, name="office_settings"),
    path("favicon.ico", favicon, name="favicon"),
    path("setup/", include("keyprojects.orgs.setup_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/<int:pk>/", project_views.project_detail, name="project_detail"),
    path("projects/", include("keyprojects.projects.urls")),
    path("plans/", include("keyprojects.plans.urls")),
    path("tasks/", include("keyprojects.tasks.urls")),
    path("warnings/", include("keyprojects.alerts.urls")),
    path("inbox/", include("keyprojects.notifications.urls")),
    path("problems/", include("keyprojects.coordination.urls")),
    path("land/", include("keyprojects.land.urls")),
    path("supervision/", include("keyprojects.supervision.urls")),
    path("assessment/", include("keyprojects.assessment.urls")),
    path("cockpit/", include("keyprojects.dashboard.urls")),
    path("open-data/", include("keyprojects.reports.urls")),
    path("search/", include("keyprojects.reports.search_urls")),
    path("api/", include("keyprojects.api.urls")),
    path("calendar/", include("keyprojects.calendars.urls")),
    path("orgs/", include("keyprojects.orgs.urls")),
    path("security/", include("keyprojects.security.urls")),
    path("", include("keyprojects.ops.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("重点项目管理系统 · 系统管理")
admin.site.site_title = _("重点项目管理系统")
admin.site.index_title = _("基础数据与用户")
