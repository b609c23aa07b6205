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


def require_office(user) -> None:
    """Office-only actions (imports, locks, reviews of proposals and plan changes): 403 for anyone else."""
    if user.role not in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        raise PermissionDenied(_("只有重点办工作人员可以执行此操作。"))


# Annual entries and monthly reports follow their project's scope. An entry's responsible
# departments are always among its project's (plans services keep that true), so a department
# sees exactly the entries and reports of the projects it is responsible for.


def entries_visible_to(user):
    """Entries of the projects USER may see; outside the office, only entries of published batches."""
    from keyprojects.plans.models import AnnualEntry, Batch

    entries = AnnualEntry.objects.filter(project__in=projects_visible_to(user))
    if not getattr(user, "is_office", False):
        entries = entries.filter(batch__status=Batch.Status.PUBLISHED)
    return entries


def reports_visible_to(user):
    from keyprojects.plans.models import Batch, MonthlyReport

    reports = MonthlyReport.objects.filter(entry__project__in=projects_visible_to(user))
    if not getattr(user, "is_office", False):
        reports = reports.filter(entry__batch__status=Batch.Status.PUBLISHED)
    return reports


def can_report(user, project: Project) -> bool:
    """The owner reports for its own projects; office staff may report on an owner's behalf."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return True
    return user.role == Role.OWNER and project.owner_id == user.organisation_id


def can_review(user, project: Project) -> bool:
    """The project's district, a responsible department, or the office reviews its monthly reports."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return True
    if user.role == Role.DISTRICT:
        return project.district_id == user.organisation_id
    if user.role == Role.DEPARTMENT:
        return project.departments.filter(pk=user.organisation_id).exists()
    return False


def get_entry_for_user(user, pk, *, write=False):
    """The annual entry PK if USER may see it (else 404); with WRITE, if USER may change its
    project (else 403)."""
    entry = entries_visible_to(user).select_related("project", "annual_list").filter(pk=pk).first()
    if entry is None:
        raise Http404(_("清单项目不存在或您无权查看。"))
    if write and not can_edit_project(user, entry.project):
        raise PermissionDenied(_("您可以查看该清单项目，但无权修改。"))
    return entry


def get_report_for_user(user, pk, *, action=None):
    """The monthly report PK if USER may see it (else 404). ACTION "report" (fill in, submit) or
    "review" (approve, return) also checks that right (else 403)."""
    report = (
        reports_visible_to(user)
        .select_related("entry__project__owner", "entry__project__district", "entry__annual_list")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("月度报送不存在或您无权查看。"))
    project = report.entry.project
    if action == "report" and not can_report(user, project):
        raise PermissionDenied(_("只有项目业主可以填报该项目的月度报送。"))
    if action == "review" and not can_review(user, project):
        raise PermissionDenied(_("您无权审核该项目的月度报送。"))
    return report


# Tasks: a unit sees the tasks of the projects it may see, plus every task it is responsible for
# (a department may hold a task on a project outside its list). Office staff change any task; the
# responsible unit and the project's owner report progress and evidence.


def tasks_visible_to(user):
    """Tasks USER may see: those of projects in USER's scope, and those USER's unit is responsible for."""
    from django.db.models import Q

    from keyprojects.tasks.models import Task

    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Task.objects.none()
    if user.sees_everything:
        return Task.objects.all()
    return Task.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(responsible_unit_id=user.organisation_id)
    )


def can_manage_tasks(user, project: Project) -> bool:
    """Create, edit, cancel and generate tasks: office staff, and the project's district."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return True
    return user.role == Role.DISTRICT and project.district_id == user.organisation_id


def can_work_on_task(user, task) -> bool:
    """Report progress, add evidence, mark done: the responsible unit, the project's owner, the office."""
    if user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF):
        return True
    if user.role == Role.LEADER:
        return False
    if task.responsible_unit_id == user.organisation_id:
        return True
    return can_manage_tasks(user, task.project) or (
        user.role == Role.OWNER and task.project.owner_id == user.organisation_id
    )


def get_task_for_user(user, pk, *, action=None):
    """The task PK if USER may see it (else 404). ACTION "manage" or "work" also checks that right
    (else 403)."""
    task = (
        tasks_visible_to(user)
        .select_related("project__owner", "project__district", "responsible_unit", "responsible_user")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(_("任务不存在或您无权查看。"))
    if action == "manage" and not can_manage_tasks(user, task.project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以修改任务。"))
    if action == "work" and not can_work_on_task(user, task):
        raise PermissionDenied(_("只有责任单位、项目业主和重点办可以办理该任务。"))
    return task


# Problems: the office and leaders see all; a district the problems of its projects and those it
# handles; a department only those it leads or co-handles; an owner its own projects'.


def problems_visible_to(user):
    from django.db.models import Q

    from keyprojects.coordination.models import Problem

    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Problem.objects.none()
    if user.sees_everything:
        return Problem.objects.all()
    org = user.organisation_id
    # Every unit also sees the problems it raised itself, to follow them and confirm their resolution.
    handles = (
        Q(lead_unit_id=org)
        | Q(id__in=Problem.co_units.through.objects.filter(organisation_id=org).values("problem_id"))
        | Q(raised_by_org_id=org)
    )
    if user.role == Role.DISTRICT:
        return Problem.objects.filter(handles | Q(project__district_id=org))
    if user.role == Role.DEPARTMENT:
        return Problem.objects.filter(handles)
    if user.role == Role.OWNER:
        return Problem.objects.filter(Q(project__owner_id=org) | Q(raised_by_org_id=org))
    return Problem.objects.none()


def handles_problem(user, problem) -> bool:
    """USER's unit leads or co-handles PROBLEM (it may reply, report progress and resolve)."""
    if user.organisation_id is None:
        return False
    return (
        problem.lead_unit_id == user.organisation_id
        or problem.co_units.filter(pk=user.organisation_id).exists()
    )


def can_raise_problem(user, project: Project) -> bool:
    """Anyone who may see a project except leaders (who write instructions instead) may raise a problem."""
    return user.role != Role.LEADER and projects_visible_to(user).filter(pk=project.pk).exists()


def get_problem_for_user(user, pk, *, action=None):
    """The problem PK if USER may see it (else 404). ACTION also checks a right (else 403):
    "coordinate" (assign, escalate, de-escalate: the office), "handle" (progress, resolve: a handling
    unit or the office), "confirm" (close or reject a resolution: the raiser's unit or the office),
    "instruct" (leaders)."""
    problem = (
        problems_visible_to(user)
        .select_related("project__owner", "project__district", "lead_unit", "raised_by_org", "raised_by")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404(_("问题不存在或您无权查看。"))
    office = user.role in (Role.OFFICE_ADMIN, Role.OFFICE_STAFF)
    allowed = {
        None: True,
        "coordinate": office,
        "handle": office or handles_problem(user, problem),
        "confirm": office or problem.raised_by_org_id == user.organisation_id,
        "instruct": user.role == Role.LEADER,
    }[action]
    if not allowed:
        raise PermissionDenied(_("您可以查看该问题，但无权执行此操作。"))
    return problem
