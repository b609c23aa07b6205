"""Who may see and change projects and their parts (prelim items, factor needs): the project gate.

Every page, export, API view, search and download that shows a project, or anything hanging from one,
starts from projects_visible_to, or narrows its own records with in_project_scope (entries, reports,
proposals, land, warnings); the gates of tasks and problems build on them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from keyprojects.orgs.models import User
from keyprojects.projects.models import FactorNeed, Project

Role = User.Role


def project_scope(user, path: str = "") -> Q | None:
    """The projects USER may see, as a condition on the project reached by PATH ("" for Project itself,
    "project__" from an entry, "entry__project__" from a report): office and leaders all (an empty
    condition); a district its own; a department those it is responsible for; an owner its own.
    None for anyone else (inactive, without organisation or role): nothing. A condition on the joined
    project, not project IN (SELECT …): SQLite reads a district's entries several times faster."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return None
    org = user.organisation_id
    if user.sees_everything:
        return Q()
    if user.role == Role.DISTRICT:
        return Q(**{f"{path}district_id": org})
    if user.role == Role.DEPARTMENT:
        responsible = Project.departments.through.objects.filter(organisation_id=org).values("project_id")
        return Q(**{f"{path}id__in": responsible})
    if user.role == Role.OWNER:
        return Q(**{f"{path}owner_id": org})
    return None


def in_project_scope(queryset: QuerySet, user, path: str = "project__") -> QuerySet:
    """QUERYSET narrowed to the records whose project (reached by PATH) USER may see."""
    scope = project_scope(user, path)
    return queryset.none() if scope is None else queryset.filter(scope)


def projects_visible_to(user) -> QuerySet[Project]:
    return in_project_scope(Project.objects.all(), user, "")


def can_edit_project(user, project: Project) -> bool:
    """Office staff edit any project; a district the projects in it; an owner its own.
    Leaders and departments read."""
    if user.is_office:
        return True
    if user.role == Role.DISTRICT:
        return project.district_id == user.organisation_id
    if user.role == Role.OWNER:
        return project.owner_id == user.organisation_id
    return False


def can_create_project(user) -> bool:
    """The office, districts and owners register projects; leaders and departments do not."""
    return user.is_authenticated and (user.is_office or user.role in (Role.DISTRICT, Role.OWNER))


def can_move_stage(user, project: Project) -> bool:
    """Stage moves are the office's and the district's call, not the owner's."""
    if user.is_office:
        return True
    return user.role == Role.DISTRICT and project.district_id == user.organisation_id


def get_project_for_user(user, pk, *, write=False) -> Project:
    """The project PK if USER may see it (else 404); with WRITE, also if USER may change it (else 403)."""
    project = (
        projects_visible_to(user)
        .select_related("owner", "district", "sector", "leader", "parent")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404(_("项目不存在或您无权查看。"))
    if write and not can_edit_project(user, project):
        raise PermissionDenied(_("您可以查看该项目，但无权修改。"))
    return project


def get_factor_need_for_user(user, pk, *, project_pk, write=False) -> FactorNeed:
    """Factor need PK of project PROJECT_PK, through the project's gate (404 outside USER's scope, 403
    with WRITE for those who only read); 404 if it is not one of that project's."""
    project = get_project_for_user(user, project_pk, write=write)
    need = FactorNeed.objects.filter(pk=pk, project=project).first()
    if need is None:
        raise Http404(_("要素保障不存在。"))
    need.project = project
    return need


# The task that writes a large export (keyprojects.projects.tasks; not imported: it imports this module).
EXPORT_TASK = "keyprojects.projects.tasks.project_export_task"


def get_export_for_user(user, pk) -> DBTaskResult:
    """The queued export PK (its task) if USER asked for it, else 404: an export holds the rows its
    user could see then, so it is no one else's, whatever their role."""
    if not user.is_authenticated:
        raise Http404(_("导出不存在。"))
    export = DBTaskResult.objects.filter(pk=pk, task_path=EXPORT_TASK, args_kwargs__args__0=user.pk).first()
    if export is None:
        raise Http404(_("导出不存在。"))
    return export
