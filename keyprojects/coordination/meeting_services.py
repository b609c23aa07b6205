"""Writes of dispatch meetings (调度会): scheduling, the agenda, decisions and their follow-up.

The agenda gathers by itself every unresolved problem at level 3 or above (the liaison leader's and the
city executive meeting's); the office adds others. Each decision becomes a task (task_create, source
调度会议定) or a leader's instruction (instruction_create), and an entry in the problem's action log.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.coordination.models import AgendaItem, DispatchMeeting, Problem, ProblemAction
from keyprojects.coordination.services import instruction_create
from keyprojects.lib.locking import save_versioned
from keyprojects.notifications.models import Kind as NoticeKind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import User
from keyprojects.tasks.models import Task
from keyprojects.tasks.services import task_create

# Problems at this level and above go onto every planned meeting's agenda by themselves.
AGENDA_MIN_LEVEL = 3


def _require_office(user):
    if not getattr(user, "is_office", False):
        raise PermissionDenied(_("只有重点办工作人员可以安排调度会。"))


def _check_fields(*, title, date, chair):
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写会议名称。")
    if date is None:
        errors["date"] = _("请填写会议日期。")
    if chair is not None and chair.role != User.Role.LEADER:
        errors["chair"] = _("主持领导须为市领导账号。")
    if errors:
        raise ValidationError(errors)


def _check_held_date(date):
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("会议日期为%(date)s，尚未到来，不能标记为已召开。") % {"date": date.isoformat()}}
        )


def _check_planned(meeting):
    if meeting.status != DispatchMeeting.Status.PLANNED:
        raise ValidationError(_("会议已召开，议题不能再变动。"))


def agenda_gather(*, meeting: DispatchMeeting) -> int:
    """Put every unresolved problem at level AGENDA_MIN_LEVEL or above that is not on MEETING's agenda
    yet onto it, ordered after the existing items. Running it again adds nothing new. Returns how many
    were added."""
    if meeting.status != DispatchMeeting.Status.PLANNED:
        return 0
    with transaction.atomic():
        DispatchMeeting.objects.select_for_update().filter(pk=meeting.pk).first()
        on_agenda = AgendaItem.objects.filter(meeting=meeting).values("problem_id")
        problems = (
            Problem.objects.filter(status__in=Problem.UNRESOLVED, level__gte=AGENDA_MIN_LEVEL)
            .exclude(pk__in=on_agenda)
            .order_by("-level", "level_deadline", "id")
            .values_list("pk", flat=True)
        )
        start = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
        items = [
            AgendaItem(meeting=meeting, problem_id=pk, order=start + i)
            for i, pk in enumerate(problems, start=1)
        ]
        AgendaItem.objects.bulk_create(items)
    return len(items)


def meeting_create(
    *,
    by,
    title: str,
    date: dt.date,
    place: str = "",
    chair=None,
    attendees: str = "",
    problems=(),
) -> DispatchMeeting:
    """Schedule a dispatch meeting; its agenda gathers the problems at level ≥ 3 and PROBLEMS. The
    chair is notified."""
    _require_office(by)
    _check_fields(title=title, date=date, chair=chair)
    with transaction.atomic():
        meeting = DispatchMeeting.objects.create(
            title=title.strip(), date=date, place=place, chair=chair, attendees=attendees, created_by=by
        )
        agenda_gather(meeting=meeting)
        for problem in problems:
            agenda_add(by=by, meeting=meeting, problem=problem)
        audit_record(by=by, instance=meeting, action=AuditEntry.Action.CREATE)
        if chair is not None:
            notification_send(
                recipients=[chair],
                kind=NoticeKind.MEETING,
                title=_("调度会：%(title)s（%(date)s）") % {"title": meeting.title, "date": date.isoformat()},
                body=_("地点：%(place)s") % {"place": place or "—"},
                url=reverse("meeting_detail", args=[meeting.pk]),
                key=f"meeting:{meeting.pk}:scheduled",
            )
    return meeting


def meeting_update(
    *,
    by,
    meeting: DispatchMeeting,
    expected_version: int,
    title: str,
    date: dt.date,
    place: str = "",
    chair=None,
    attendees: str = "",
    summary: str = "",
) -> DispatchMeeting:
    """Change a meeting's particulars and its minutes' opening text (EditConflict on an old version). A
    meeting that took place keeps a date that is not in the future."""
    _require_office(by)
    _check_fields(title=title, date=date, chair=chair)
    if meeting.status == DispatchMeeting.Status.HELD:
        _check_held_date(date)
    with transaction.atomic():
        before = snapshot(DispatchMeeting.objects.get(pk=meeting.pk))
        meeting.title, meeting.date, meeting.place = title.strip(), date, place
        meeting.chair, meeting.attendees, meeting.summary = chair, attendees, summary
        save_versioned(meeting, expected_version=expected_version)
        audit_record(by=by, instance=meeting, action=AuditEntry.Action.UPDATE, before=before)
    return meeting


def meeting_mark_held(*, by, meeting: DispatchMeeting) -> DispatchMeeting:
    """The meeting took place: its agenda is fixed from now on. Not before its date, or the minutes
    would record a meeting that has not happened."""
    _require_office(by)
    with transaction.atomic():
        meeting = DispatchMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == DispatchMeeting.Status.HELD:
            return meeting
        _check_held_date(meeting.date)
        before = snapshot(meeting)
        meeting.status = DispatchMeeting.Status.HELD
        meeting.save(update_fields=["status"])
        audit_record(by=by, instance=meeting, action=AuditEntry.Action.UPDATE, before=before)
    return meeting


def agenda_add(*, by, meeting: DispatchMeeting, problem: Problem) -> AgendaItem:
    """The office puts PROBLEM on MEETING's agenda (an unresolved one, once)."""
    _require_office(by)
    _check_planned(meeting)
    if problem is None:
        raise ValidationError({"problem": _("请选择问题。")})
    if not problem.is_unresolved:
        raise ValidationError(
            {"problem": _("问题“%(t)s”已办结或销号，不能列入议题。") % {"t": problem.title}}
        )
    with transaction.atomic():
        if AgendaItem.objects.filter(meeting=meeting, problem=problem).exists():
            raise ValidationError({"problem": _("问题“%(t)s”已在本次会议议题中。") % {"t": problem.title}})
        order = (AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0) + 1
        item = AgendaItem.objects.create(meeting=meeting, problem=problem, order=order)
    return item


def agenda_remove(*, by, item: AgendaItem) -> None:
    """Take an undecided item off a planned meeting's agenda."""
    _require_office(by)
    _check_planned(item.meeting)
    if item.decision_kind:
        raise ValidationError(_("该议题已议定，不能移出。"))
    item.delete()


def agenda_decide(
    *,
    by,
    item: AgendaItem,
    decision: str,
    kind: str,
    task_title: str = "",
    responsible_unit=None,
    deadline: dt.date | None = None,
    reply_unit=None,
    reply_deadline: dt.date | None = None,
) -> AgendaItem:
    """Record what the meeting decided on ITEM. KIND "task": a task for RESPONSIBLE_UNIT by DEADLINE on
    the problem's project; "instruction": the chair's instruction, REPLY_UNIT to reply by REPLY_DEADLINE;
    "note": the decision only. Each adds a 调度会议定 step to the problem's log. Decided once."""
    _require_office(by)
    decision = (decision or "").strip()
    errors = {}
    if not decision:
        errors["decision"] = _("请填写议定事项。")
    if kind not in (AgendaItem.Decision.TASK, AgendaItem.Decision.INSTRUCTION, AgendaItem.Decision.NOTE):
        errors["kind"] = _("请选择落实方式。")
    if kind == AgendaItem.Decision.TASK:
        if responsible_unit is None:
            errors["responsible_unit"] = _("交办任务须指定责任单位。")
        if deadline is None:
            errors["deadline"] = _("交办任务须指定完成时限。")
    if kind == AgendaItem.Decision.INSTRUCTION:
        if item.meeting.chair is None:
            errors["kind"] = _("会议未设置主持领导，不能以领导批示落实；请先设置主持领导。")
        if reply_deadline is None:
            errors["reply_deadline"] = _("请填写回复时限。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = (
            AgendaItem.objects.select_for_update()
            .select_related("meeting", "problem__project")
            .get(pk=item.pk)
        )
        if item.decision_kind:
            raise ValidationError(_("该议题已议定，如需调整请另行交办。"))
        meeting, problem = item.meeting, item.problem
        before = snapshot(item)
        item.decision, item.decision_kind = decision, kind
        note = _("%(meeting)s（%(date)s）议定：%(decision)s") % {
            "meeting": meeting.title,
            "date": meeting.date.isoformat(),
            "decision": decision,
        }
        if kind == AgendaItem.Decision.TASK:
            item.task = task_create(
                by=by,
                project=problem.project,
                title=(task_title or "").strip() or _("落实调度会议定：%(t)s") % {"t": problem.title[:150]},
                responsible_unit=responsible_unit,
                deadline=deadline,
                requirement=decision,
                source=Task.Source.MEETING,
            )
            note += _("（交办%(unit)s，%(date)s前完成）") % {
                "unit": responsible_unit,
                "date": deadline.isoformat(),
            }
        elif kind == AgendaItem.Decision.INSTRUCTION:
            item.instruction = instruction_create(
                problem=problem,
                leader=meeting.chair,
                text=decision,
                reply_unit=reply_unit or problem.lead_unit,
                reply_deadline=reply_deadline,
            )
        item.save()
        ProblemAction.objects.create(
            problem=problem,
            kind=ProblemAction.Kind.MEETING,
            by=by,
            by_org_id=by.organisation_id,
            note=note,
        )
        audit_record(
            by=by, instance=item, action=AuditEntry.Action.UPDATE, before=before, project=problem.project
        )
    return item
