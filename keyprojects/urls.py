from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from keyprojects.projects import views as project_views

urlpatterns = [
    path("", project_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("setup/", include("keyprojects.orgs.setup_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("keyprojects.projects.urls")),
    path("plans/", include("keyprojects.plans.urls")),
    path("tasks/", include("keyprojects.tasks.urls")),
    path("warnings/", include("keyprojects.alerts.urls")),
    path("inbox/", include("keyprojects.notifications.urls")),
    path("problems/", include("keyprojects.coordination.urls")),
    path("land/", include("keyprojects.land.urls")),
    path("cockpit/", include("keyprojects.dashboard.urls")),
    path("open-data/", include("keyprojects.reports.urls")),
    path("search/", include("keyprojects.reports.search_urls")),
    path("api/", include("keyprojects.api.urls")),
    path("calendar/", include("keyprojects.calendars.urls")),
    path("orgs/", include("keyprojects.orgs.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("重点项目管理系统 · 系统管理")
admin.site.site_title = _("重点项目管理系统")
admin.site.index_title = _("基础数据与用户")
