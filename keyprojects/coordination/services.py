"""Writes of problem coordination: raise, assign, handle, resolve, confirm (销号), reopen, escalate, and
leaders' instructions (批示) with their replies.

Every step is one transaction that writes the problem, one ProblemAction (with its files), an audit
entry and the notifications of the people concerned. A change to the problem itself is made against
the version the user saw (optimistic locking): two office staff assigning at once never overwrite each
other silently. The scheduled `problems_escalate_due` moves stalled problems up the ladder in bulk.
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_entry_build, audit_record, snapshot
from keyprojects.coordination.models import (
    EscalationLevel,
    EscalationSetting,
    Instruction,
    Problem,
    ProblemAction,
    ProblemAttachment,
)
from keyprojects.coordination.selectors import (
    DEFAULT_LADDER,
    HANDLER_KINDS,
    MemoCalendar,
    levels,
    overdue_q,
)
from keyprojects.lib.locking import save_versioned
from keyprojects.lib.uploads import content_matches, upload_name
from keyprojects.lib.workdays import WorkCalendar, add_workdays
from keyprojects.notifications.models import Kind as NoticeKind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import User
from keyprojects.projects.models import Project

Status = Problem.Status
ActionKind = ProblemAction.Kind
Role = User.Role

log = logging.getLogger(__name__)

# Units that handle problems: districts and city departments (the office coordinates, owners raise).
# What a problem's files may be, each checked by its content (keyprojects/lib/uploads.py).
ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png", "webp", "docx", "xlsx", "ofd", "doc", "xls")
ATTACHMENTS_PER_STEP = 10
# Files written by the step in progress (see _step).
_written: ContextVar[list] = ContextVar("kp_problem_files", default=None)
TEXT_MAX = 5000


def attachment_max_bytes() -> int:
    return getattr(settings, "KP_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def attachment_check(upload) -> str:
    """The extension of an acceptable file, or a ValidationError naming the file and the reason."""
    name = upload_name(upload.name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s”的文件类型不允许上传，只能上传 PDF、Word、Excel、OFD 文件或 JPEG、PNG、WebP 图片。")
            % {"name": name}
        )
    if upload.size > attachment_max_bytes():
        raise ValidationError(
            _("附件“%(name)s”超过 %(size)s，请压缩或拆分后再上传。")
            % {"name": name, "size": filesizeformat(attachment_max_bytes())}
        )
    if upload.size == 0:
        raise ValidationError(_("附件“%(name)s”是空文件。") % {"name": name})
    if not content_matches(upload, ext):
        raise ValidationError(_("附件“%(name)s”的内容与其扩展名不符，请检查文件是否损坏。") % {"name": name})
    return ext


def _check_files(files) -> list:
    files = list(files or ())
    if len(files) > ATTACHMENTS_PER_STEP:
        raise ValidationError({"files": _("每次最多上传 %(n)s 个附件。") % {"n": ATTACHMENTS_PER_STEP}})
    errors = []
    for upload in files:
        try:
            attachment_check(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return files


def _store_files(problem, action, files, user) -> list[ProblemAttachment]:
    stored = []
    for upload in files:
        original = upload_name(upload.name) or "file"
        ext = original.rsplit(".", 1)[-1].lower()
        attachment = ProblemAttachment(
            problem=problem, action=action, original_name=original, uploaded_by=user
        )
        # Our own name on disk: the uploaded one may carry path tricks.
        attachment.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        if (bag := _written.get()) is not None:
            bag.append((attachment.file.storage, attachment.file.name))
        attachment.save()
        stored.append(attachment)
    return stored


@contextmanager
def _step():
    """One transaction for a step; files it stored are removed again when it fails (Django has no
    on-rollback hook, and a refused step must leave nothing behind, on disk either)."""
    token = _written.set([])
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in _written.get():
            storage.delete(name)
        raise
    finally:
        _written.reset(token)


def _clean_text(value, field, message, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: _("内容过长，请控制在 %(n)s 字以内。") % {"n": TEXT_MAX}})
    return value


def escalation_levels_ensure() -> list[EscalationLevel]:
    """The stored ladder, the default one written first if none is stored yet."""
    if not EscalationLevel.objects.exists():
        EscalationLevel.objects.bulk_create(
            [
                EscalationLevel(level=lv, name=name, deadline_workdays=days)
                for lv, name, days in DEFAULT_LADDER
            ],
            ignore_conflicts=True,
        )
    return list(EscalationLevel.objects.order_by("level"))


def top_level(ladder=None) -> int:
    ladder = ladder if ladder is not None else levels()
    return max(ladder) if ladder else 1


def level_deadline_from(since: dt.date, level: EscalationLevel | None, calendar=None) -> dt.date | None:
    """The last day of a level that began on SINCE (SINCE itself does not count); None without a limit."""
    if level is None or level.deadline_workdays is None:
        return None
    if calendar is not None:
        return calendar.add(since, level.deadline_workdays)
    return add_workdays(since, level.deadline_workdays)


def escalation_setting() -> EscalationSetting:
    """The office's settings beside the ladder: the stored row, or the defaults (unsaved) if none is."""
    return EscalationSetting.objects.filter(pk=1).first() or EscalationSetting(pk=1)


def assign_deadline_from(since: dt.date, setting: EscalationSetting | None = None) -> dt.date:
    """The last day for the office to assign a problem raised on SINCE (SINCE itself does not count)."""
    setting = setting or escalation_setting()
    return add_workdays(since, setting.assign_workdays)


def _start_clock(problem, today: dt.date, *, deadline: dt.date | None = None, ladder=None):
    """Start the clock of PROBLEM's current level today: on assignment (交办), or when a unit takes a
    待交办 problem in hand. DEADLINE, when the office gives one, replaces the level's time limit."""
    ladder = ladder if ladder is not None else levels()
    problem.level_since = today
    problem.level_deadline = deadline or level_deadline_from(today, ladder.get(problem.level))


def _take_in_hand(problem, today: dt.date, *, deadline: dt.date | None = None):
    """待交办 → 办理中, the level clock starting today."""
    problem.status = Status.HANDLING
    _start_clock(problem, today, deadline=deadline)


def _today(today=None) -> dt.date:
    return today or timezone.localdate()


def _office_users():
    return User.objects.filter(role__in=User.OFFICE_ROLES, is_active=True)


def _unit_users(org_ids):
    return User.objects.filter(organisation_id__in=[o for o in org_ids if o], is_active=True)


def handling_unit_ids(problem: Problem) -> list[int]:
    return [problem.lead_unit_id, *problem.co_units.values_list("pk", flat=True)]


def _recipients(problem, *, by=None, handlers=False, raiser=False, office=False, leader=False) -> list:
    users = []
    if handlers:
        users += list(_unit_users(handling_unit_ids(problem)))
    if raiser:
        users += list(_unit_users([problem.raised_by_org_id]))
    if office:
        users += list(_office_users())
    if leader and problem.project.leader_id:
        users.append(problem.project.leader)
    return [u for u in {u.pk: u for u in users}.values() if by is None or u.pk != by.pk]


def _notify(problem, *, kind, title, key, body="", by=None, **who):
    notification_send(
        recipients=_recipients(problem, by=by, **who),
        kind=kind,
        title=title,
        body=body or problem.title,
        url=reverse("problem_detail", args=[problem.pk]),
        key=key,
        organisations=[problem.lead_unit_id],
    )


def _action(problem, *, kind, by, note="", from_level=None, to_level=None, files=()) -> ProblemAction:
    action = ProblemAction.objects.create(
        problem=problem,
        kind=kind,
        by=by,
        by_org_id=getattr(by, "organisation_id", None),
        note=note,
        from_level=from_level,
        to_level=to_level,
    )
    if files:
        _store_files(problem, action, files, by)
    return action


def _save(problem, *, expected_version, by, before):
    """Save PROBLEM against the version the user saw and keep the change in the audit history."""
    save_versioned(problem, expected_version=_expected(problem, expected_version))
    audit_record(
        by=by, instance=problem, action=AuditEntry.Action.UPDATE, before=before, project=problem.project
    )


def _expected(problem, expected_version):
    return problem.version if expected_version is None else expected_version


def _refuse(message, field=None):
    raise ValidationError({field: message} if field else message)


def _check_unit(unit, field):
    if unit is None:
        _refuse(_("请选择牵头单位。"), field)
    if unit.kind not in HANDLER_KINDS or not unit.is_active:
        _refuse(_("“%(unit)s”不能承办问题：只有城区和市直部门可以牵头或协办。") % {"unit": unit}, field)


def _check_deadline(deadline, today, field="deadline"):
    if deadline is not None and deadline < today:
        _refuse(_("办理时限 %(date)s 已经过去，请选择今天或以后的日期。") % {"date": deadline}, field)


# --------------------------------------------------------------------------------------------------
# Raise
# --------------------------------------------------------------------------------------------------


def _source_for(user) -> str:
    return {
        Role.OWNER: Problem.Source.OWNER,
        Role.DISTRICT: Problem.Source.DISTRICT,
        Role.DEPARTMENT: Problem.Source.DEPARTMENT,
    }.get(user.role, Problem.Source.OFFICE)


def problem_raise(
    *,
    by,
    project,
    category,
    title,
    description,
    lead_unit,
    co_units=(),
    source=None,
    source_report=None,
    source_visit=None,
    files=(),
    deadline: dt.date | None = None,
) -> Problem:
    """Raise a problem on PROJECT, led by LEAD_UNIT (co-handled by CO_UNITS), at level 1 of the ladder.

    Raised by the office, naming the lead unit is assigning it (交办): the problem is 办理中 and level 1's
    time limit runs from today in working days, or is DEADLINE when given (never in the past). Raised by
    anyone else it is 待交办: no level clock runs until the office assigns it, only the office's own
    assignment limit (a warning for the office); DEADLINE is then the raiser's wish, kept in the log.
    FILES are uploads, checked by type and size. Refused in Chinese, with nothing written, when the
    project, the lead unit, the category, the title or the description is missing."""
    today = _today()
    errors = {}
    if project is None:
        errors["project"] = _("请选择问题所属的项目。")
    if lead_unit is None:
        errors["lead_unit"] = _("请选择牵头单位。")
    if category not in Problem.Category.values:
        errors["category"] = _("请选择问题类别。")
    if not (title or "").strip():
        errors["title"] = _("请填写问题概述。")
    elif len(title.strip()) > 200:
        errors["title"] = _("问题概述请控制在 200 字以内。")
    if not (description or "").strip():
        errors["description"] = _("请填写问题描述。")
    if errors:
        raise ValidationError(errors)
    _check_unit(lead_unit, "lead_unit")
    co_units = [u for u in dict.fromkeys(co_units or ()) if u.pk != lead_unit.pk]
    for unit in co_units:
        _check_unit(unit, "co_units")
    _check_deadline(deadline, today)
    description = _clean_text(description, "description", _("请填写问题描述。"))
    files = _check_files(files)
    if source is None:
        source = Problem.Source.REPORT if source_report is not None else _source_for(by)
    assigned = bool(getattr(by, "is_office", False))
    note = description
    if deadline is not None and not assigned:
        note += "\n" + _("期望办结日期：%(date)s") % {"date": deadline.isoformat()}
    with _step():
        problem = Problem(
            project=project,
            category=category,
            title=title.strip(),
            description=description,
            source=source,
            source_report=source_report,
            source_visit=source_visit,
            raised_by=by,
            raised_by_org_id=by.organisation_id,
            lead_unit=lead_unit,
            level=1,
        )
        if assigned:
            _take_in_hand(problem, today, deadline=deadline)
        else:
            problem.assign_deadline = assign_deadline_from(today)
        problem.save()
        if co_units:
            problem.co_units.set(co_units)
        _action(problem, kind=ActionKind.RAISE, by=by, note=note, to_level=1, files=files)
        audit_record(by=by, instance=problem, action=AuditEntry.Action.CREATE, project=project)
        _notify(
            problem,
            kind=NoticeKind.PROBLEM_ASSIGNED,
            title=(_("问题交办：%(title)s") if assigned else _("新问题：%(title)s"))
            % {"title": problem.title},
            key=f"problem:{problem.pk}:raise",
            by=by,
            handlers=True,
            office=True,
        )
    return problem


# --------------------------------------------------------------------------------------------------
# The office coordinates
# --------------------------------------------------------------------------------------------------


def problem_assign(
    *,
    problem: Problem,
    by,
    lead_unit,
    co_units=(),
    deadline: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Problem:
    """交办: the office names the lead unit and the co-handling units and, optionally, the time limit of
    the current level (not in the past). A 待交办 problem goes to 办理中 and its level clock starts today
    (the level's time limit in working days, or DEADLINE); one already in hand keeps its clock unless a
    DEADLINE is given."""
    if problem.status == Status.CLOSED:
        _refuse(_("问题已销号，不能交办；如问题仍存在，请先重新打开。"))
    today = _today()
    _check_unit(lead_unit, "lead_unit")
    co_units = [u for u in dict.fromkeys(co_units or ()) if u.pk != lead_unit.pk]
    for unit in co_units:
        _check_unit(unit, "co_units")
    _check_deadline(deadline, today)
    note = _clean_text(note, "note", "", required=False)
    with _step():
        before = snapshot(problem)
        old_units = set(handling_unit_ids(problem))
        problem.lead_unit = lead_unit
        started = problem.status == Status.OPEN
        if started:
            _take_in_hand(problem, today, deadline=deadline)
        elif deadline is not None:
            problem.level_deadline = deadline
        save_versioned(problem, expected_version=_expected(problem, expected_version))
        problem.co_units.set(co_units)
        audit_record(
            by=by, instance=problem, action=AuditEntry.Action.UPDATE, before=before, project=problem.project
        )
        text = _("牵头单位：%(lead)s；协办单位：%(co)s") % {
            "lead": lead_unit.name,
            "co": "、".join(u.name for u in co_units) or _("无"),
        }
        if problem.level_deadline is not None and (deadline is not None or started):
            text += _("；办理时限：%(date)s") % {"date": problem.level_deadline.isoformat()}
        action = _action(problem, kind=ActionKind.ASSIGN, by=by, note=f"{text}。{note}" if note else text)
        new_units = {lead_unit.pk, *(u.pk for u in co_units)}
        notification_send(
            recipients=[u for u in _unit_users(new_units) if u.pk != by.pk],
            kind=NoticeKind.PROBLEM_ASSIGNED,
            title=_("问题交办：%(title)s") % {"title": problem.title},
            body=text,
            url=reverse("problem_detail", args=[problem.pk]),
            key=f"problem:{problem.pk}:assign:{action.pk}",
            organisations=new_units - old_units or new_units,
        )
    return problem


def problem_add_co_unit(
    *, problem: Problem, by, unit, note: str = "", expected_version: int | None = None
) -> Problem:
    """部门联动: the office adds one co-handling unit (a 待交办 problem is thereby assigned: its level
    clock starts today)."""
    if problem.status == Status.CLOSED:
        _refuse(_("问题已销号，不能增加协办单位。"))
    if unit is None:
        _refuse(_("请选择协办单位。"), "unit")
    _check_unit(unit, "unit")
    if unit.pk in handling_unit_ids(problem):
        _refuse(_("“%(unit)s”已在承办该问题。") % {"unit": unit}, "unit")
    note = _clean_text(note, "note", "", required=False)
    with _step():
        before = snapshot(problem)
        if problem.status == Status.OPEN:
            _take_in_hand(problem, _today())
        save_versioned(problem, expected_version=_expected(problem, expected_version))
        problem.co_units.add(unit)
        audit_record(
            by=by, instance=problem, action=AuditEntry.Action.UPDATE, before=before, project=problem.project
        )
        action = _action(
            problem,
            kind=ActionKind.CO_UNIT,
            by=by,
            note=(_("增加协办单位：%(unit)s") % {"unit": unit.name}) + (f"。{note}" if note else ""),
        )
        notification_send(
            recipients=[u for u in _unit_users([unit.pk]) if u.pk != by.pk],
            kind=NoticeKind.PROBLEM_ASSIGNED,
            title=_("请协办问题：%(title)s") % {"title": problem.title},
            body=problem.title,
            url=reverse("problem_detail", args=[problem.pk]),
            key=f"problem:{problem.pk}:co:{action.pk}",
            organisations=[unit.pk],
        )
    return problem


def _move_level(problem, *, by, to_level, reason, kind, expected_version, today):
    ladder = levels()
    if to_level not in ladder:
        if to_level > problem.level:
            _refuse(
                _("问题已在最高层级（%(name)s），不能再提级。")
                % {"name": ladder[problem.level].name if problem.level in ladder else problem.level}
            )
        _refuse(_("问题已在第一层级，不能再降级。"))
    if not problem.is_unresolved:
        _refuse(_("只有待交办或办理中的问题可以调整层级。"))
    reason = _clean_text(reason, "reason", _("请填写调整层级的理由。"))
    with _step():
        before = snapshot(problem)
        from_level = problem.level
        problem.level = to_level
        # A 待交办 problem changes level without a clock: it starts when the office assigns it.
        if problem.status != Status.OPEN:
            _start_clock(problem, today, ladder=ladder)
        _save(problem, expected_version=expected_version, by=by, before=before)
        action = _action(problem, kind=kind, by=by, note=reason, from_level=from_level, to_level=to_level)
        up = to_level > from_level
        _notify(
            problem,
            kind=NoticeKind.PROBLEM_ESCALATED,
            title=(_("问题提级至“%(level)s”：%(title)s") if up else _("问题降级至“%(level)s”：%(title)s"))
            % {"level": ladder[to_level].name, "title": problem.title},
            body=reason,
            key=f"problem:{problem.pk}:level:{action.pk}",
            by=by,
            handlers=True,
            office=True,
            leader=to_level >= 3,
        )
    return problem


def problem_escalate(*, problem: Problem, by, reason: str, expected_version: int | None = None) -> Problem:
    """提级: one level up, by the office, with a reason; the new level's time limit starts today (at
    assignment for a problem still 待交办)."""
    return _move_level(
        problem,
        by=by,
        to_level=problem.level + 1,
        reason=reason,
        kind=ActionKind.ESCALATE,
        expected_version=expected_version,
        today=_today(),
    )


def problem_deescalate(*, problem: Problem, by, reason: str, expected_version: int | None = None) -> Problem:
    """降级: one level down, by the office, with a reason."""
    return _move_level(
        problem,
        by=by,
        to_level=problem.level - 1,
        reason=reason,
        kind=ActionKind.DEESCALATE,
        expected_version=expected_version,
        today=_today(),
    )


# --------------------------------------------------------------------------------------------------
# Handling units
# --------------------------------------------------------------------------------------------------


def problem_progress(
    *, problem: Problem, by, note: str, files=(), expected_version: int | None = None
) -> ProblemAction:
    """办理进展: a handling unit reports what it has done (with files). A 待交办 problem is thereby
    taken in hand (办理中): its level clock starts today."""
    if not problem.is_unresolved:
        _refuse(_("只有待交办或办理中的问题可以填报办理进展。"))
    note = _clean_text(note, "note", _("请填写办理进展。"))
    files = _check_files(files)
    with _step():
        if problem.status == Status.OPEN:
            before = snapshot(problem)
            _take_in_hand(problem, _today())
            _save(problem, expected_version=expected_version, by=by, before=before)
        action = _action(problem, kind=ActionKind.PROGRESS, by=by, note=note, files=files)
        _notify(
            problem,
            kind=NoticeKind.PROBLEM_ASSIGNED,
            title=_("问题办理进展：%(title)s") % {"title": problem.title},
            body=note,
            key=f"problem:{problem.pk}:progress:{action.pk}",
            by=by,
            raiser=True,
        )
    return action


def problem_resolve(
    *, problem: Problem, by, note: str, files=(), expected_version: int | None = None
) -> Problem:
    """办结: a handling unit reports the problem solved; it waits for the raiser's confirmation."""
    if not problem.is_unresolved:
        _refuse(_("该问题当前状态为“%(status)s”，不能办结。") % {"status": problem.get_status_display()})
    note = _clean_text(note, "note", _("请填写办理结果。"))
    files = _check_files(files)
    with _step():
        before = snapshot(problem)
        problem.status = Status.RESOLVED
        problem.resolved_at = timezone.now()
        _save(problem, expected_version=expected_version, by=by, before=before)
        action = _action(problem, kind=ActionKind.RESOLVE, by=by, note=note, files=files)
        _notify(
            problem,
            kind=NoticeKind.PROBLEM_RESOLVED,
            title=_("问题已办结，请确认：%(title)s") % {"title": problem.title},
            body=note,
            key=f"problem:{problem.pk}:resolve:{action.pk}",
            by=by,
            raiser=True,
            office=True,
        )
    return problem


# --------------------------------------------------------------------------------------------------
# The raiser confirms
# --------------------------------------------------------------------------------------------------


def problem_confirm(*, problem: Problem, by, note: str = "", expected_version: int | None = None) -> Problem:
    """确认销号: the raiser's unit (or the office) accepts the resolution; the problem is closed."""
    if problem.status != Status.RESOLVED:
        _refuse(_("只有已办结待确认的问题可以销号。"))
    note = _clean_text(note, "note", "", required=False)
    with _step():
        before = snapshot(problem)
        problem.status = Status.CLOSED
        problem.closed_at = timezone.now()
        _save(problem, expected_version=expected_version, by=by, before=before)
        action = _action(problem, kind=ActionKind.CLOSE, by=by, note=note)
        _notify(
            problem,
            kind=NoticeKind.PROBLEM_CLOSED,
            title=_("问题已销号：%(title)s") % {"title": problem.title},
            body=note,
            key=f"problem:{problem.pk}:close:{action.pk}",
            by=by,
            handlers=True,
            office=True,
            leader=problem.level >= 3,
        )
    return problem


def _back_to_handling(problem, *, by, reason, kind, expected_version, notice_kind, title):
    reason = _clean_text(reason, "reason", _("请填写理由。"))
    today = _today()
    with _step():
        before = snapshot(problem)
        problem.status = Status.HANDLING
        problem.resolved_at = None
        problem.closed_at = None
        # The level's time limit starts again: the handlers get the level's full time to redo it.
        problem.level_since = today
        problem.level_deadline = level_deadline_from(today, levels().get(problem.level))
        _save(problem, expected_version=expected_version, by=by, before=before)
        action = _action(problem, kind=kind, by=by, note=reason)
        _notify(
            problem,
            kind=notice_kind,
            title=title % {"title": problem.title},
            body=reason,
            key=f"problem:{problem.pk}:{kind}:{action.pk}",
            by=by,
            handlers=True,
            office=True,
        )
    return problem


def problem_reject_resolution(
    *, problem: Problem, by, reason: str, expected_version: int | None = None
) -> Problem:
    """退回重办: the raiser's unit (or the office) does not accept the resolution; back to 办理中."""
    if problem.status != Status.RESOLVED:
        _refuse(_("只有已办结待确认的问题可以退回重办。"))
    if not (reason or "").strip():
        _refuse(_("请填写退回理由。"), "reason")
    return _back_to_handling(
        problem,
        by=by,
        reason=reason,
        kind=ActionKind.REJECT,
        expected_version=expected_version,
        notice_kind=NoticeKind.PROBLEM_REJECTED,
        title=_("办结被退回：%(title)s"),
    )


def problem_reopen(*, problem: Problem, by, reason: str, expected_version: int | None = None) -> Problem:
    """重新打开: a closed problem that came back; back to 办理中 at its level, with a reason."""
    if problem.status != Status.CLOSED:
        _refuse(_("只有已销号的问题可以重新打开。"))
    if not (reason or "").strip():
        _refuse(_("请填写重新打开的理由。"), "reason")
    return _back_to_handling(
        problem,
        by=by,
        reason=reason,
        kind=ActionKind.REOPEN,
        expected_version=expected_version,
        notice_kind=NoticeKind.PROBLEM_REJECTED,
        title=_("问题重新打开：%(title)s"),
    )


# --------------------------------------------------------------------------------------------------
# Leaders' instructions
# --------------------------------------------------------------------------------------------------


def instruction_create(*, problem: Problem, leader, text: str, reply_unit, reply_deadline) -> Instruction:
    """批示: LEADER writes TEXT on PROBLEM; REPLY_UNIT (a unit handling the problem) must reply by
    REPLY_DEADLINE (not in the past)."""
    if getattr(leader, "role", None) != Role.LEADER:
        _refuse(_("只有市领导可以作出批示。"))
    if problem.status == Status.CLOSED:
        _refuse(_("问题已销号，不能再批示。"))
    text = _clean_text(text, "text", _("请填写批示内容。"))
    if reply_unit is None:
        _refuse(_("请选择回复单位。"), "reply_unit")
    if reply_unit.pk not in handling_unit_ids(problem):
        _refuse(
            _("“%(unit)s”没有承办该问题，不能作为回复单位；请先由重点办将其增加为协办单位。")
            % {"unit": reply_unit},
            "reply_unit",
        )
    if reply_deadline is None:
        _refuse(_("请填写回复时限。"), "reply_deadline")
    if reply_deadline < _today():
        _refuse(
            _("回复时限 %(date)s 已经过去，请选择今天或以后的日期。") % {"date": reply_deadline},
            "reply_deadline",
        )
    with _step():
        instruction = Instruction.objects.create(
            problem=problem, leader=leader, text=text, reply_unit=reply_unit, reply_deadline=reply_deadline
        )
        _action(
            problem,
            kind=ActionKind.INSTRUCTION,
            by=leader,
            note=_("%(text)s（请%(unit)s于 %(date)s 前回复）")
            % {"text": text, "unit": reply_unit.name, "date": reply_deadline.isoformat()},
        )
        audit_record(
            by=leader, instance=instruction, action=AuditEntry.Action.CREATE, project=problem.project
        )
        users = list(_unit_users([reply_unit.pk, problem.lead_unit_id])) + list(_office_users())
        notification_send(
            recipients=[u for u in {u.pk: u for u in users}.values() if u.pk != leader.pk],
            kind=NoticeKind.INSTRUCTION,
            title=_("领导批示：%(title)s") % {"title": problem.title},
            body=text,
            url=reverse("problem_detail", args=[problem.pk]) + f"#instruction-{instruction.pk}",
            key=f"instruction:{instruction.pk}",
            organisations=[reply_unit.pk],
        )
    return instruction


def instruction_reply(*, instruction: Instruction, by, text: str) -> Instruction:
    """批示回复: a unit handling the problem replies once; anyone else is refused."""
    problem = instruction.problem
    if by.organisation_id is None or by.organisation_id not in handling_unit_ids(problem):
        _refuse(_("只有承办该问题的单位可以回复批示。"))
    text = _clean_text(text, "text", _("请填写回复内容。"))
    with _step():
        # Locked and re-read, so two replies at once leave exactly one.
        current = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if current.replied_at is not None:
            _refuse(
                _("该批示已于 %(at)s 回复。")
                % {"at": f"{timezone.localtime(current.replied_at):%Y-%m-%d %H:%M}"}
            )
        before = snapshot(current)
        current.reply = text
        current.replied_by = by
        current.replied_at = timezone.now()
        current.save(update_fields=["reply", "replied_by", "replied_at"])
        instruction.reply, instruction.replied_by, instruction.replied_at = (
            current.reply,
            current.replied_by,
            current.replied_at,
        )
        _action(problem, kind=ActionKind.REPLY, by=by, note=text)
        audit_record(
            by=by, instance=current, action=AuditEntry.Action.UPDATE, before=before, project=problem.project
        )
        users = [instruction.leader, *_office_users()]
        notification_send(
            recipients=[u for u in {u.pk: u for u in users}.values() if u.pk != by.pk],
            kind=NoticeKind.INSTRUCTION_REPLY,
            title=_("批示已回复：%(title)s") % {"title": problem.title},
            body=text,
            url=reverse("problem_detail", args=[problem.pk]) + f"#instruction-{instruction.pk}",
            key=f"instruction:{instruction.pk}:reply",
        )
    return instruction


# --------------------------------------------------------------------------------------------------
# The escalation ladder
# --------------------------------------------------------------------------------------------------


def escalation_level_update(*, level: EscalationLevel, by, name: str, deadline_workdays: int | None):
    """The office renames a rung or changes its time limit (open problems keep the deadline they have;
    the new limit applies from their next level change)."""
    name = _clean_text(name, "name", _("请填写层级名称。"))
    if deadline_workdays is not None and not 1 <= deadline_workdays <= 250:
        _refuse(_("办理时限应在 1 到 250 个工作日之间。"), "deadline_workdays")
    if deadline_workdays is None and level.level != top_level():
        _refuse(_("只有最高层级可以不设办理时限。"), "deadline_workdays")
    with _step():
        before = snapshot(level)
        level.name = name
        level.deadline_workdays = deadline_workdays
        level.save()
        audit_record(by=by, instance=level, action=AuditEntry.Action.UPDATE, before=before)
    return level


ASSIGN_WORKDAYS_MAX = 60


def escalation_setting_update(*, by, assign_workdays: int | None) -> EscalationSetting:
    """The office changes its own assignment limit (交办时限, working days from a problem being raised).
    Problems already waiting keep the limit they have; the new one applies to problems raised from now."""
    if assign_workdays is None or not 1 <= assign_workdays <= ASSIGN_WORKDAYS_MAX:
        _refuse(_("交办时限应在 1 到 %(n)s 个工作日之间。") % {"n": ASSIGN_WORKDAYS_MAX}, "assign_workdays")
    with _step():
        setting = EscalationSetting.objects.select_for_update().filter(pk=1).first()
        created = setting is None
        setting = setting or EscalationSetting(pk=1)
        before = None if created else snapshot(setting)
        setting.assign_workdays = assign_workdays
        setting.save()
        audit_record(
            by=by,
            instance=setting,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            before=before,
        )
    return setting


def last_workday_on_or_before(day: dt.date, calendar: WorkCalendar) -> dt.date:
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _next_level(ladder, level: int) -> int:
    """The rung above LEVEL (the ladder's numbers need not be consecutive)."""
    return min(n for n in ladder if n > level)


def problems_escalate_due(*, today: dt.date | None = None) -> dict:
    """Move every problem in hand (办理中) whose level's time limit has passed up EXACTLY ONE level.

    A level whose last day is D escalates on the first working day after D (never on a weekend or a
    holiday). The new level's clock starts on the run's day, with that level's full time limit, and the
    new level is told: a problem long overdue because the job did not run (a server off for a month)
    moves one level on the first run, never through a back-dated chain of levels nobody was told about;
    if the new level's time runs out too, a later run moves it again. A 待交办 problem has no level clock
    and never escalates (its assignment limit is a warning for the office: selectors.assign_overdue_q).

    Set-based and idempotent: due problems are handled in groups of one level, each one prepared INSERT
    run for all the group's log rows, one for its audit entries and one UPDATE, whatever the number of
    problems in it; a second run on the same day finds nothing due and changes nothing. A group the job
    cannot handle (the new deadline cannot be computed, a database error) is logged, rolled back alone
    and left as it was, so the next run tries it again; the others go through.

    Returns {"escalated": problems moved, "steps": levels climbed (one each), "failed": problems left for
    the next run, "levels": {new level: problems moved there}, "today": the day used}."""
    today = _today(today)
    ladder = levels()
    top = top_level(ladder)
    result = {"escalated": 0, "steps": 0, "failed": 0, "levels": {}, "today": today}
    in_hand = Problem.objects.filter(status=Status.HANDLING)
    # One calendar for the whole run: the deadlines are around today.
    calendar = MemoCalendar.for_years(range(today.year - 1, today.year + 3))
    cutoff = last_workday_on_or_before(today, calendar)
    new_deadlines = {}  # new level → its deadline, counted from today
    done = []  # (pk, new level, title, project_id, lead_unit_id) of the problems moved
    with transaction.atomic():
        # Locked (on PostgreSQL) until the end, so a manual change waits instead of racing the job.
        rows = list(
            in_hand.select_for_update()
            .filter(overdue_q(cutoff), level__lt=top)
            .order_by()
            .values_list("pk", "level", "level_deadline", "title", "project_id", "lead_unit_id")
        )
        groups = defaultdict(list)
        for row in rows:
            groups[row[1]].append(row)
        now = timezone.now()
        for level, members in sorted(groups.items()):
            members.sort()  # by id: the log and audit rows in the order of the problems
            try:
                with transaction.atomic():  # a savepoint: a failing group leaves nothing behind
                    to_level = _next_level(ladder, level)
                    if to_level not in new_deadlines:
                        new_deadlines[to_level] = level_deadline_from(today, ladder[to_level], calendar)
                    new_deadline = new_deadlines[to_level]
                    moved = _escalate_group(
                        level, members, to_level, today, new_deadline, cutoff=cutoff, ladder=ladder, now=now
                    )
                    if moved != len(members):
                        raise RuntimeError(
                            f"{len(members)} problems due, {moved} moved: changed under the job"
                        )
            except Exception:
                log.exception(
                    "escalation on %s: %s problems at level %s left for the next run",
                    today,
                    len(members),
                    level,
                )
                result["failed"] += len(members)
                continue
            done += [(pk, to_level, title, project, lead) for pk, _l, _d, title, project, lead in members]
            result["levels"][to_level] = result["levels"].get(to_level, 0) + len(members)
        if done:
            _notify_escalated(done, ladder, today)
    result["escalated"] = result["steps"] = len(done)
    return result


def _escalate_group(level, members, to_level, today, new_deadline, *, cutoff, ladder, now) -> int:
    """The problems in hand at LEVEL past their time limit by CUTOFF (MEMBERS: their (pk, level,
    deadline, title, project, lead unit) rows, read under lock) one level up to TO_LEVEL from TODAY:
    their log entries and audit entries (one prepared INSERT each, run for all of them), then one UPDATE.
    Returns the number of problems moved."""
    connection = transaction.get_connection()
    level_name = ladder[to_level].name
    notes, changes = {}, {}
    for _pk, _level, deadline, *_rest in members:
        if deadline not in notes:
            notes[deadline] = _("超过办理时限（%(date)s）未办结，自动提级至“%(level)s”。") % {
                "date": deadline.isoformat(),
                "level": level_name,
            }
            changes[deadline] = connection.ops.adapt_json_value(
                {
                    str(_("当前层级")): [str(level), str(to_level)],
                    str(_("本层级起始日")): ["", str(today)],
                    str(_("本层级办理时限")): [str(deadline), str(new_deadline or "")],
                },
                None,
            )
    at = connection.ops.adapt_datetimefield_value(now)
    kind, action, label = ActionKind.AUTO_ESCALATE.value, AuditEntry.Action.UPDATE.value, Problem._meta.label
    _insert_rows(
        ProblemAction,
        ("problem", "kind", "by", "by_org", "note", "from_level", "to_level", "at"),
        [(pk, kind, None, None, notes[deadline], level, to_level, at) for pk, _l, deadline, *_r in members],
    )
    _insert_rows(
        AuditEntry,
        ("at", "user", "action", "model", "object_id", "object_repr", "project", "changes"),
        [
            (at, None, action, label, str(pk), title[:200], project, changes[deadline])
            for pk, _l, deadline, title, project, _lead in members
        ],
    )
    return (
        Problem.objects.filter(status=Status.HANDLING, level=level)
        .filter(overdue_q(cutoff))
        .update(
            level=to_level,
            level_since=today,
            level_deadline=new_deadline,
            version=F("version") + 1,
            updated_at=now,
        )
    )


def _insert_rows(model, fields, rows) -> None:
    """INSERT ROWS (values already as the driver takes them, in the order of FIELDS) into MODEL's table
    by one prepared statement run for all of them (executemany), in chunks."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    meta = model._meta
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(meta.get_field(name).column) for name in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def _notify_escalated(done, ladder, today):
    """Tell each new level once per run: the lead unit, the office from level 2, the project's liaison
    leader from level 3. One message per problem when a recipient has one; a digest when several.
    DONE: (pk, new level, title, project_id, lead_unit_id) of each problem moved."""
    final = {pk: (level, title, project_id, lead) for pk, level, title, project_id, lead in done}
    leader_of_project = {}
    project_ids = {v[2] for v in final.values()}
    if any(v[0] >= 3 for v in final.values()):
        leader_of_project = dict(
            Project.objects.filter(pk__in=project_ids, leader__isnull=False).values_list("pk", "leader_id")
        )
    # recipient key → [problem pks]: ("org", id) for a unit's users, ("user", id) for one person.
    groups = defaultdict(list)
    office = ("office", 0)
    for pk, (level, _title, project_id, lead) in final.items():
        groups[("org", lead)].append(pk)
        if level >= 2:
            groups[office].append(pk)
        if level >= 3 and leader_of_project.get(project_id):
            groups[("user", leader_of_project[project_id])].append(pk)
    office_users = list(_office_users())
    org_users = defaultdict(list)
    for user in _unit_users([k[1] for k in groups if k[0] == "org"]):
        org_users[user.organisation_id].append(user)
    people = {
        u.pk: u for u in User.objects.filter(pk__in=[k[1] for k in groups if k[0] == "user"], is_active=True)
    }
    for group, pks in groups.items():
        if group == office:
            recipients, name = office_users, "office"
        elif group[0] == "org":
            recipients, name = org_users.get(group[1], []), f"org{group[1]}"
        else:
            recipients, name = [people[group[1]]] if group[1] in people else [], f"user{group[1]}"
        if not recipients:
            continue
        if len(pks) == 1:
            pk = pks[0]
            level, title, _project, lead = final[pk]
            notification_send(
                recipients=recipients,
                kind=NoticeKind.PROBLEM_ESCALATED,
                title=_("问题超时自动提级至“%(level)s”：%(title)s")
                % {"level": ladder[level].name, "title": title},
                url=reverse("problem_detail", args=[pk]),
                # The day too: a problem brought down again by hand may time out to this level again.
                key=f"problem:{pk}:auto:{level}:{today.isoformat()}",
                organisations=[lead] if group[0] == "org" else (),
            )
            continue
        titles = "\n".join(f"· {final[pk][1]}" for pk in pks[:20])
        if len(pks) > 20:
            titles += "\n" + _("……等 %(n)s 个问题") % {"n": len(pks)}
        notification_send(
            recipients=recipients,
            kind=NoticeKind.PROBLEM_ESCALATED,
            title=_("%(n)s 个问题超时未办结，已自动提级") % {"n": len(pks)},
            body=titles,
            url=reverse("problem_list") + "?state=unresolved&sort=level",
            key=f"problems:auto:{today.isoformat()}:{name}:{min(pks)}:{len(pks)}",
            organisations=[group[1]] if group[0] == "org" else (),
        )


def overdue_workdays(problem, today: dt.date, calendar: WorkCalendar) -> int:
    """Working days past the level's time limit (0 when not overdue or resolved)."""
    if not problem.is_unresolved or problem.level_deadline is None or problem.level_deadline >= today:
        return 0
    return calendar.between(problem.level_deadline, today)


__all__ = [
    "attachment_check",
    "escalation_level_update",
    "instruction_create",
    "instruction_reply",
    "problem_add_co_unit",
    "problem_assign",
    "problem_confirm",
    "problem_deescalate",
    "problem_escalate",
    "problem_progress",
    "problem_raise",
    "problem_reject_resolution",
    "problem_reopen",
    "problem_resolve",
    "problems_escalate_due",
]


def problems_recompute_deadlines(*, year: int, before: WorkCalendar, after: WorkCalendar, by, today) -> list:
    """When YEAR's official holiday schedule is confirmed (lib.workdays.on_calendar_confirmed, registered
    in CoordinationConfig.ready): the level deadlines of problems in hand, and the office's assignment
    limits of 待交办 ones, whose working-day count runs through YEAR are recomputed on the official
    calendar, each change in the problem's history. A deadline that is not what the ladder (or the
    assignment limit) gave on the calendar as it was — one the office set by hand — stays."""
    from django.db.models import Q

    ladder = levels()
    setting = escalation_setting()
    rows = Problem.objects.filter(status__in=Problem.UNRESOLVED).filter(
        Q(level_since__year__lte=year, level_deadline__year__gte=year)
        | Q(assign_deadline__year__gte=year, created_at__date__lte=dt.date(year, 12, 31))
    )
    now = timezone.now()
    changed, audits, levels_moved, assignments_moved = [], [], 0, 0
    for problem in rows:
        old = snapshot(problem, fields=["level_deadline", "assign_deadline"])
        level = ladder.get(problem.level)
        moved = False
        if problem.level_since and problem.level_deadline and level and level.deadline_workdays:
            if before.add(problem.level_since, level.deadline_workdays) == problem.level_deadline:
                deadline = after.add(problem.level_since, level.deadline_workdays)
                if deadline != problem.level_deadline:
                    problem.level_deadline, moved = deadline, True
                    levels_moved += 1
        if problem.assign_deadline:
            raised = timezone.localtime(problem.created_at).date()
            if before.add(raised, setting.assign_workdays) == problem.assign_deadline:
                deadline = after.add(raised, setting.assign_workdays)
                if deadline != problem.assign_deadline:
                    problem.assign_deadline, moved = deadline, True
                    assignments_moved += 1
        if not moved:
            continue
        problem.version, problem.updated_at = problem.version + 1, now
        entry = audit_entry_build(
            by=by,
            instance=problem,
            action=AuditEntry.Action.UPDATE,
            before=old,
            after=snapshot(problem, fields=["level_deadline", "assign_deadline"]),
        )
        if entry is not None:
            entry.project_id = problem.project_id
            audits.append(entry)
        changed.append(problem)
    Problem.objects.bulk_update(
        changed, ["level_deadline", "assign_deadline", "version", "updated_at"], batch_size=500
    )
    AuditEntry.objects.bulk_create(audits, batch_size=500)
    return [(_("问题层级办理时限"), levels_moved), (_("问题交办时限"), assignments_moved)]
