"""Reads of dispatch meetings, and their access gate.

The office and leaders see every meeting; anyone else a meeting with at least one agenda problem they
may see, and only those items of it. Changes are the office's.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Problem
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.selectors import problems_visible_to


def meetings_visible_to(user):
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return DispatchMeeting.objects.none()
    if user.sees_everything:
        return DispatchMeeting.objects.all()
    visible = AgendaItem.objects.filter(meeting=OuterRef("pk"), problem__in=problems_visible_to(user))
    return DispatchMeeting.objects.filter(Exists(visible))


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
        AgendaItem.objects.filter(
            meeting__in=meetings_visible_to(user), problem__in=problems_visible_to(user)
        )
        .select_related("meeting__chair", "problem__project", "problem__lead_unit")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("议题不存在或您无权查看。"))
    if not user.is_office:
        raise PermissionDenied(_("只有重点办工作人员可以记录会议议定事项。"))
    return item


def meeting_list(*, user):
    """USER's meetings, newest first, with agenda counts (one query)."""
    return (
        meetings_visible_to(user)
        .select_related("chair")
        .annotate(
            items=Count("agenda", distinct=True),
            decided=Count("agenda", filter=~Q(agenda__decision_kind=""), distinct=True),
        )
    )


@dataclass
class FollowUp:
    """The live state of what a decision became: a task's or an instruction's status and countdown."""

    kind: str
    status: str
    countdown: str
    level: str  # green, yellow, red, grey
    url: str = ""


def _countdown(deadline: dt.date, today: dt.date, calendar: WorkCalendar) -> tuple[str, str]:
    n = calendar.between(today, deadline)
    if deadline == today:
        return _("今日到期"), "yellow"
    if deadline < today:
        return _("逾期 %(n)s 个工作日") % {"n": -n}, "red"
    return _("剩余 %(n)s 个工作日") % {"n": n}, "yellow" if n <= 3 else "green"


def meeting_agenda(*, meeting: DispatchMeeting, user, today: dt.date | None = None) -> list[AgendaItem]:
    """MEETING's items that USER may see, each with `.follow_up` (None before a task or instruction
    exists): a fixed number of queries whatever the agenda's length."""
    from keyprojects.tasks.models import Task

    today = today or timezone.localdate()
    items = AgendaItem.objects.filter(meeting=meeting).select_related(
        "problem__project__district",
        "problem__lead_unit",
        "task__responsible_unit",
        "instruction__reply_unit",
        "instruction__leader",
    )
    if not user.sees_everything:
        items = items.filter(problem__in=problems_visible_to(user))
    items = list(items)
    deadlines = [today]
    for item in items:
        if item.task_id:
            deadlines.append(item.task.deadline)
        if item.instruction_id:
            deadlines.append(item.instruction.reply_deadline)
    calendar = WorkCalendar.for_years(range(min(deadlines).year, max(deadlines).year + 1))
    for item in items:
        item.follow_up = None
        if item.task_id:
            task = item.task
            if task.status == Task.Status.DONE:
                late = task.completed_date and task.completed_date > task.deadline
                label, level = (_("逾期完成") if late else _("按期完成")), "grey"
            elif task.status == Task.Status.CANCELLED:
                label, level = _("已取消"), "grey"
            else:
                label, level = _countdown(task.deadline, today, calendar)
            item.follow_up = FollowUp(
                kind=_("任务"),
                status=task.get_status_display(),
                countdown=label,
                level=level,
                url=task.get_absolute_url() if _has_url("task_detail") else "",
            )
        elif item.instruction_id:
            ins = item.instruction
            if ins.replied_at:
                label, level = (
                    _("已于 %(d)s 回复") % {"d": timezone.localdate(ins.replied_at).isoformat()},
                    "grey",
                )
                status = _("已回复")
            else:
                label, level = _countdown(ins.reply_deadline, today, calendar)
                status = _("待回复")
            item.follow_up = FollowUp(kind=_("批示"), status=status, countdown=label, level=level)
    return items


def _has_url(name) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def agenda_candidates(*, meeting: DispatchMeeting, q: str = "", limit: int = 30):
    """Unresolved problems the office may add to MEETING's agenda, matched by Q in title or project."""
    problems = (
        Problem.objects.filter(status__in=Problem.UNRESOLVED)
        .exclude(agenda_items__meeting=meeting)
        .select_related("project", "lead_unit")
        .order_by("-level", "level_deadline", "-id")
    )
    if q:
        problems = problems.filter(Q(title__icontains=q) | Q(project__name__icontains=q))
    return problems[:limit]
