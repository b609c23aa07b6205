"""The scoping gate: the one place that decides which projects a user may see and change."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import Project

Role = User.Role


def projects_visible_to(user) -> QuerySet[Project]:
    """Projects USER may see: office and leaders all; a district its own; a department those it is
    responsible for; an owner its own. Anyone else, nothing."""
    projects = Project.objects.all()
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return projects.none()
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.LEADER):
        return projects
    if user.role == Role.DISTRICT:
        return projects.filter(district_id=user.organisation_id)
    if user.role == Role.DEPARTMENT:
        return projects.filter(
            id__in=Project.departments.through.objects.filter(organisation_id=user.organisation_id).values(
                "project_id"
            )
        )
    if user.role == Role.OWNER:
        return projects.filter(owner_id=user.organisation_id)
    return projects.none()


def can_edit_project(user, project: Project) -> bool:
    """Office staff edit any project; a district the projects in it; an owner its own.
    Leaders and departments read."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return True
    if user.role == Role.DISTRICT:
        return project.district_id == user.organisation_id
    if user.role == Role.OWNER:
        return project.owner_id == user.organisation_id
    return False


def can_create_project(user) -> bool:
    return user.is_authenticated and user.role in (
        Role.OFFICE_ADMIN,
        Role.OFFICE_STAFF,
        Role.DISTRICT,
        Role.OWNER,
    )


def can_move_stage(user, project: Project) -> bool:
    """Stage moves are the office's and the district's call, not the owner's."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
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


def organisations_for_choice(user, kind) -> QuerySet[Organisation]:
    """Organisations USER may pick in a form field of KIND (a district user picks only its own district)."""
    orgs = Organisation.objects.filter(kind=kind, is_active=True)
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return orgs
    if user.role == Role.DISTRICT and kind == Organisation.Kind.DISTRICT:
        return orgs.filter(pk=user.organisation_id)
    if user.role == Role.OWNER and kind == Organisation.Kind.OWNER:
        return orgs.filter(pk=user.organisation_id)
    if user.role == Role.DISTRICT and kind == Organisation.Kind.OWNER:
        return orgs
    if user.role == Role.OWNER and kind == Organisation.Kind.DISTRICT:
        return orgs
    return orgs.none()
