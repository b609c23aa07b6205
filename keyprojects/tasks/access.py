"""Who may see and change tasks and their evidence.

A unit sees the tasks of the projects it may see, plus every task it is responsible for (a department
may hold a task on a project outside its list). Office staff and the project's district manage tasks
(create, edit, cancel, generate from a template); the responsible unit, the project's owner, its
district and the office work on them (progress, evidence, done). Leaders read.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.orgs.models import User
from keyprojects.projects.access import projects_visible_to
from keyprojects.projects.models import Project
from keyprojects.tasks.models import Task, TaskEvidence

Role = User.Role


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks USER may see: those of projects in USER's scope, and those USER's unit is responsible for."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Task.objects.none()
    if user.sees_everything:
        return Task.objects.all()
    return Task.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(responsible_unit_id=user.organisation_id)
    )


def can_manage_tasks(user, project: Project) -> bool:
    """Create, edit, cancel and generate tasks: office staff, and the project's district."""
    if user.is_office:
        return True
    return user.role == Role.DISTRICT and project.district_id == user.organisation_id


def can_work_on_task(user, task: Task) -> bool:
    """Report progress, add evidence, mark done: the responsible unit, the project's owner, those who
    manage the project's tasks. Not leaders, even of a unit that is responsible."""
    if user.is_office:
        return True
    if user.is_leader:
        return False
    if task.responsible_unit_id == user.organisation_id:
        return True
    return can_manage_tasks(user, task.project) or (
        user.role == Role.OWNER and task.project.owner_id == user.organisation_id
    )


def get_task_for_user(user, pk, *, action=None) -> Task:
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


def get_evidence_for_user(user, pk, *, action=None) -> TaskEvidence:
    """An evidence file, through its task's gate: 404 if there is no evidence file PK (a note without a
    file has nothing to download) or USER may not see its task; ACTION as get_task_for_user."""
    evidence = TaskEvidence.objects.exclude(file="").filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("文件不存在。"))
    evidence.task = get_task_for_user(user, evidence.task_id, action=action)
    return evidence
