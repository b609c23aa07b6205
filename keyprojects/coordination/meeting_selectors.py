"""Reads of dispatch meetings. Their access gate (who sees which meeting and agenda item, who changes
them) is coordination.access.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.coordination.access import meetings_visible_to, problems_visible_to
from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Problem
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.tasks.models import Task


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
