"""Who may see and act on problems and their files and instructions, dispatch meetings and their agenda
items, and service visits; and who may open the leader pages.

Problems: the office and leaders see all; a district the problems of its projects and those it handles;
a department only those it leads or co-handles; an owner its own projects'. Every unit also sees the
problems it raised itself, to follow them and confirm their resolution. What each person may do on a
problem (problem_rights) is decided here and nowhere else: the pages and the API ask this module.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from keyprojects.coordination.models import (
    AgendaItem,
    DispatchMeeting,
    Instruction,
    Problem,
    ProblemAttachment,
    ServiceVisit,
)
from keyprojects.orgs.models import User
from keyprojects.projects.access import in_project_scope, projects_visible_to
from keyprojects.projects.models import Project

Role = User.Role


def _in_scope(user) -> bool:
    return user.is_authenticated and user.is_active and user.organisation_id is not None


# --------------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------------

# What one may do on a problem, besides seeing it: "coordinate" (assign, add co-units, escalate,
# de-escalate: the office), "handle" (progress, resolve: a handling unit or the office), "confirm"
# (close, reject a resolution, reopen: the raiser's unit or the office), "instruct" (leaders).
PROBLEM_ACTIONS = ("coordinate", "handle", "confirm", "instruct")


def problems_visible_to(user) -> QuerySet[Problem]:
    if not _in_scope(user):
        return Problem.objects.none()
    if user.sees_everything:
        return Problem.objects.all()
    org = user.organisation_id
    # The ids of the unit's own problems, each part from its own index. As one OR, SQLite walks the
    # (status, deadline) index across the whole city whenever the ledger filters on status.
    ids = Problem.objects.order_by().values("id")
    raised = ids.filter(raised_by_org_id=org)
    handled = [
        ids.filter(lead_unit_id=org),
        Problem.co_units.through.objects.filter(organisation_id=org).values("problem_id"),
    ]
    if user.role == Role.DISTRICT:
        parts = [*handled, in_project_scope(ids, user)]
    elif user.role == Role.DEPARTMENT:
        parts = handled
    elif user.role == Role.OWNER:
        parts = [in_project_scope(ids, user)]
    else:
        return Problem.objects.none()
    return Problem.objects.filter(id__in=raised.union(*parts, all=True))


def handles_problem(user, problem: Problem) -> bool:
    """USER's unit leads or co-handles PROBLEM (it may reply, report progress and resolve)."""
    if user.organisation_id is None:
        return False
    return (
        problem.lead_unit_id == user.organisation_id
        or problem.co_units.filter(pk=user.organisation_id).exists()
    )


def can_raise_problem(user, project: Project) -> bool:
    """Anyone who may see a project except leaders (who write instructions instead) may raise a problem."""
    return not user.is_leader and projects_visible_to(user).filter(pk=project.pk).exists()


def can_act_on_problem(user, problem: Problem, action, *, handles=None) -> bool:
    """May USER do ACTION (one of PROBLEM_ACTIONS, or None: just see it) on PROBLEM, which USER sees?
    HANDLES, when the caller already knows handles_problem, saves its query."""
    office = user.is_office
    if action is None:
        return True
    if action == "coordinate":
        return office
    if action == "handle":
        return office or (handles if handles is not None else handles_problem(user, problem))
    if action == "confirm":
        return office or problem.raised_by_org_id == user.organisation_id
    if action == "instruct":
        return user.is_leader
    raise ValueError(f"unknown problem action {action!r}")


def problem_rights(user, problem: Problem) -> dict:
    """Every right of USER on PROBLEM, for its page: each of PROBLEM_ACTIONS, and "handles" (USER's unit
    leads or co-handles it: only a handling unit replies to an instruction, not the office)."""
    handles = handles_problem(user, problem)
    rights = {
        action: can_act_on_problem(user, problem, action, handles=handles) for action in PROBLEM_ACTIONS
    }
    rights["handles"] = handles
    return rights


def get_problem_for_user(user, pk, *, action=None) -> Problem:
    """The problem PK if USER may see it (else 404). ACTION (see PROBLEM_ACTIONS) also checks that
    right (else 403)."""
    problem = (
        problems_visible_to(user)
        .select_related("project__owner", "project__district", "lead_unit", "raised_by_org", "raised_by")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404(_("问题不存在或您无权查看。"))
    if not can_act_on_problem(user, problem, action):
        raise PermissionDenied(_("您可以查看该问题，但无权执行此操作。"))
    return problem


def get_problem_attachment_for_user(user, pk) -> ProblemAttachment:
    """A problem's file, only to those who may see the problem (else 404)."""
    attachment = ProblemAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("附件不存在。"))
    attachment.problem = get_problem_for_user(user, attachment.problem_id)
    return attachment


# --------------------------------------------------------------------------------------------------
# Instructions (批示)
# --------------------------------------------------------------------------------------------------


def instructions_visible_to(user) -> QuerySet[Instruction]:
    """Instructions on the problems USER may see."""
    return Instruction.objects.filter(problem__in=problems_visible_to(user))


def get_instruction_for_user(user, pk, *, action=None) -> Instruction:
    """Instruction PK through its problem's gate (404 if USER may not see the problem). ACTION "reply"
    also checks that USER's unit handles the problem (else 403): the office coordinates, the handling
    unit answers the leader."""
    instruction = Instruction.objects.select_related("leader").filter(pk=pk).first()
    if instruction is None:
        raise Http404(_("批示不存在。"))
    problem = get_problem_for_user(user, instruction.problem_id)
    if action == "reply" and not handles_problem(user, problem):
        raise PermissionDenied(_("只有承办该问题的单位可以回复批示。"))
    instruction.problem = problem
    return instruction


# --------------------------------------------------------------------------------------------------
# Dispatch meetings (调度会): the office and leaders see every meeting; anyone else a meeting with at
# least one agenda problem they may see, and only those items of it. Changes are the office's.
# --------------------------------------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[DispatchMeeting]:
    if not _in_scope(user):
        return DispatchMeeting.objects.none()
    if user.sees_everything:
        return DispatchMeeting.objects.all()
    visible = AgendaItem.objects.filter(meeting=OuterRef("pk"), problem__in=problems_visible_to(user))
    return DispatchMeeting.objects.filter(Exists(visible))


def agenda_items_visible_to(user) -> QuerySet[AgendaItem]:
    """The agenda items USER may see: on a meeting USER may see, about a problem USER may see."""
    return AgendaItem.objects.filter(
        meeting__in=meetings_visible_to(user), problem__in=problems_visible_to(user)
    )


def get_meeting_for_user(user, pk, *, write=False) -> DispatchMeeting:
    """Meeting PK: 404 outside USER's scope; with WRITE, 403 for anyone but the office."""
    meeting = meetings_visible_to(user).select_related("chair", "created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("调度会不存在或您无权查看。"))
    if write and not user.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以安排调度会。"))
    return meeting


def get_agenda_item_for_user(user, pk) -> AgendaItem:
    """An agenda item to change: 404 outside USER's scope, 403 for anyone but the office."""
    item = (
        agenda_items_visible_to(user)
        .select_related("meeting__chair", "problem__project", "problem__lead_unit")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("议题不存在或您无权查看。"))
    if not user.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以记录会议议定事项。"))
    return item


# --------------------------------------------------------------------------------------------------
# Leader pages and service visits (一线服务)
# --------------------------------------------------------------------------------------------------


def require_leader_pages(user) -> None:
    """Leader pages are for the office and the leaders (403 for anyone else)."""
    if not user.sees_everything:
        raise PermissionDenied(_("领导联系页面仅供重点办和市领导查看。"))


def visits_visible_to(user) -> QuerySet[ServiceVisit]:
    """Visits USER may see: all for the office and leaders; else visits to projects in USER's scope or to
    USER's own enterprise."""
    if not _in_scope(user):
        return ServiceVisit.objects.none()
    if user.sees_everything:
        return ServiceVisit.objects.all()
    return ServiceVisit.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(enterprise_id=user.organisation_id)
    )


def get_visit_for_user(user, pk) -> ServiceVisit:
    visit = (
        visits_visible_to(user)
        .select_related("project", "enterprise", "leader", "created_by")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404(_("服务记录不存在或您无权查看。"))
    return visit
