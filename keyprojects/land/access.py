"""Who may see and keep the land ledger (征地拆迁台账). A project has at most one land task; its pages go
through the project, so the gate hands out the project: those who may see it read the ledger, the
office and the project's district keep it."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.land.models import LandTask
from keyprojects.orgs.models import User
from keyprojects.projects.access import in_project_scope, projects_visible_to
from keyprojects.projects.models import Project


def land_tasks_visible_to(user) -> QuerySet[LandTask]:
    return in_project_scope(LandTask.objects.all(), user)


def can_edit_land(user, project: Project) -> bool:
    """Office staff edit every land task; a district those of the projects located in it."""
    if user.is_office:
        return True
    return user.role == User.Role.DISTRICT and project.district_id == user.organisation_id


def get_land_project_for_user(user, pk, *, write=False) -> Project:
    """Project PK for the land pages: 404 outside USER's scope, 403 with WRITE for those who only read."""
    project = projects_visible_to(user).select_related("district", "owner", "leader").filter(pk=pk).first()
    if project is None:
        raise Http404(_("项目不存在或您无权查看。"))
    if write and not can_edit_land(user, project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以维护征地拆迁台账。"))
    return project
