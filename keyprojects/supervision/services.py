"""Writes of supervision: issuing letters (one, or many from the warning centre at once), replies with
evidence, sign-off and return, the escalation of overdue letters; inspections, their findings and
rectification items; tours, their scoring forms and the jurors' scores.

Every step is one transaction that writes the record, its log entry (with files), an audit entry and
the notifications of the people concerned; a refused step leaves nothing behind, on disk either. The
acting user is BY; TODAY (the local date unless given) dates the step.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.alerts.models import ProjectWarning
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.coordination.models import Problem
from keyprojects.coordination.services import attachment_check, last_workday_on_or_before
from keyprojects.lib.locking import save_versioned
from keyprojects.lib.uploads import content_matches, upload_name
from keyprojects.lib.workdays import WorkCalendar, add_workdays
from keyprojects.notifications.models import Kind as NoticeKind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.models import Organisation, User
from keyprojects.orgs.selectors import office_settings
from keyprojects.projects.models import Project
from keyprojects.supervision.access import (
    can_act_on_letter,
    can_act_on_rectification,
    require_supervision_office,
)
from keyprojects.supervision.models import (
    WORKDAYS_MAX,
    Finding,
    FindingPhoto,
    Inspection,
    Letter,
    LetterAction,
    LetterCounter,
    LetterEvidence,
    Rectification,
    RectificationAction,
    RectificationEvidence,
    Tour,
    TourCriterion,
    TourScore,
)
from keyprojects.supervision.selectors import warning_units, warnings_with_open_letters

log = logging.getLogger(__name__)

LetterStatus = Letter.Status
ItemStatus = Rectification.Status
# TODO: take the prefix from the office's settings page (orgs.OfficeSettings) once it has a field for
# supervision letters; until then the field is read when present and this is the default.
DEFAULT_LETTER_PREFIX = "邕重点督"
# Working days each further level of an overdue letter gives before the next.
LEVEL_WORKDAYS = 5
# Units letters and rectification items may go to: anyone but the office itself.
UNIT_KINDS = (Organisation.Kind.DISTRICT, Organisation.Kind.DEPARTMENT, Organisation.Kind.OWNER)
FILES_MAX = 10
TEXT_MAX = 5000
BULK_MAX = 300
PHOTO_TYPES = ("jpg", "jpeg", "png", "webp")
# Letters and rectification items, new, returned or overdue, reach people as one kind (督查督办), which
# they route to their channels like the others.
KIND_NEW = KIND_RETURNED = KIND_OVERDUE = NoticeKind.SUPERVISION
DEFAULT_CRITERIA = (
    ("项目建设进度", 30),
    ("投资完成", 25),
    ("建设质量与安全", 20),
    ("要素保障", 15),
    ("现场管理", 10),
)

_written: ContextVar[list] = ContextVar("kp_supervision_files", default=None)


def letter_prefix() -> str:
    return getattr(office_settings(), "letter_prefix", "") or DEFAULT_LETTER_PREFIX


def _today(today=None) -> dt.date:
    return today or timezone.localdate()


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


@contextmanager
def _step():
    """One transaction; files stored in it are removed again when it fails."""
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


def _store(model, upload, **fields):
    original = upload_name(upload.name) or "file"
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else "bin"
    row = model(original_name=original, **fields)
    # Our own name on disk: the uploaded one may carry path tricks.
    row.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    if (bag := _written.get()) is not None:
        bag.append((row.file.storage, row.file.name))
    row.save()
    return row


def _check_files(files, *, required_message=None) -> list:
    files = list(files or ())
    if not files and required_message:
        raise ValidationError({"files": required_message})
    if len(files) > FILES_MAX:
        raise ValidationError({"files": _("每次最多上传 %(n)s 个附件。") % {"n": FILES_MAX}})
    errors = []
    for upload in files:
        try:
            attachment_check(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return files


def photo_check(upload) -> None:
    """A site photo: a JPEG, PNG or WebP image by its content, not empty, within the attachment limit."""
    name = upload_name(upload.name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in PHOTO_TYPES or not upload.size or not content_matches(upload, ext):
        raise ValidationError(_("“%(name)s”不是 JPEG、PNG 或 WebP 图片。") % {"name": name})
    attachment_check(upload)


def _text(value, field, message=None, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("请填写此项。")})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: _("内容过长，请控制在 %(n)s 字以内。") % {"n": TEXT_MAX}})
    return value


def _workdays(value, field) -> int:
    if not isinstance(value, int) or not 1 <= value <= WORKDAYS_MAX:
        raise ValidationError({field: _("时限应为 1 至 %(n)s 个工作日。") % {"n": WORKDAYS_MAX}})
    return value


def _unit(unit, field="unit") -> Organisation:
    if unit is None or unit.kind not in UNIT_KINDS or not unit.is_active:
        raise ValidationError({field: _("请选择城区、市直部门或项目业主作为责任单位。")})
    return unit


def _office_users():
    return User.objects.filter(role__in=User.OFFICE_ROLES, is_active=True)


def _unit_users(org_id):
    return User.objects.filter(organisation_id=org_id, is_active=True)


def _save(instance, *, by, before, expected_version, project=None):
    if expected_version is not None:
        save_versioned(instance, expected_version=expected_version)
    else:
        instance.version += 1
        instance.save()
    audit_record(by=by, instance=instance, action=AuditEntry.Action.UPDATE, before=before, project=project)


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --------------------------------------------------------------------------------------------------
# Letters (督办函)
# --------------------------------------------------------------------------------------------------


def _next_sequences(year: int, n: int) -> range:
    """N consecutive sequence numbers of YEAR. The year's counter row stays locked until the caller's
    transaction ends, so concurrent issues queue; a rolled-back issue gives its numbers back."""
    LetterCounter.objects.get_or_create(year=year)
    counter = LetterCounter.objects.select_for_update().get(year=year)
    first = counter.last + 1
    counter.last += n
    counter.save(update_fields=["last"])
    return range(first, first + n)


@dataclass
class LetterDraft:
    """One letter to issue: to UNIT, about PROJECT and/or WARNINGS or PROBLEM."""

    unit: Organisation
    subject: str
    requirement: str
    deadline_workdays: int
    facts: str = ""
    project: Project | None = None
    warnings: list = field(default_factory=list)
    problem: Problem | None = None


def _check_draft(draft: LetterDraft) -> LetterDraft:
    _unit(draft.unit)
    draft.subject = _text(draft.subject, "subject", _("请填写督办事项。"))[:200]
    draft.facts = _text(draft.facts, "facts", required=False)
    draft.requirement = _text(draft.requirement, "requirement", _("请写明办理要求。"))
    _workdays(draft.deadline_workdays, "deadline_workdays")
    if draft.problem is not None:
        if draft.project is not None and draft.project.pk != draft.problem.project_id:
            raise ValidationError({"project": _("问题不属于该项目。")})
        draft.project = draft.problem.project
    for warning in draft.warnings:
        if draft.project is not None and warning.project_id != draft.project.pk:
            raise ValidationError({"project": _("预警不属于该项目。")})
        draft.project = draft.project or warning.project
    return draft


def _issue(drafts: list[LetterDraft], *, by, today: dt.date) -> list[Letter]:
    prefix = letter_prefix()
    sequences = iter(_next_sequences(today.year, len(drafts)))
    letters = []
    for draft in drafts:
        deadline = add_workdays(today, draft.deadline_workdays)
        letter = Letter.objects.create(
            prefix=prefix,
            year=today.year,
            sequence=next(sequences),
            unit=draft.unit,
            project=draft.project,
            problem=draft.problem,
            subject=draft.subject,
            facts=draft.facts,
            requirement=draft.requirement,
            deadline_workdays=draft.deadline_workdays,
            issued_on=today,
            deadline=deadline,
            level_deadline=deadline,
            issued_by=by,
        )
        if draft.warnings:
            letter.warnings.set(draft.warnings)
        LetterAction.objects.create(
            letter=letter, kind=LetterAction.Kind.ISSUE, by=by, by_org=by.organisation, level=1
        )
        audit_record(by=by, instance=letter, action=AuditEntry.Action.CREATE, project=draft.project)
        notification_send(
            recipients=_unit_users(letter.unit_id),
            kind=KIND_NEW,
            title=_("督办函 %(number)s：%(subject)s") % {"number": letter.number, "subject": letter.subject},
            body=_("请于 %(deadline)s 前办理并回复（附佐证材料）。%(requirement)s")
            % {"deadline": deadline.isoformat(), "requirement": letter.requirement},
            url=reverse("letter_detail", args=[letter.pk]),
            key=f"letter:{letter.pk}:issue",
            organisations=[letter.unit_id],
        )
        letters.append(letter)
    return letters


def letter_issue(
    *,
    by,
    unit: Organisation,
    subject: str,
    requirement: str,
    deadline_workdays: int,
    facts: str = "",
    project: Project | None = None,
    warnings: Iterable[ProjectWarning] = (),
    problem: Problem | None = None,
    today: dt.date | None = None,
) -> Letter:
    """签发 one letter to UNIT: numbered in the year's sequence, due DEADLINE_WORKDAYS working days
    from TODAY; the unit is told. The office only."""
    require_supervision_office(by)
    draft = _check_draft(
        LetterDraft(
            unit=unit,
            subject=subject,
            requirement=requirement,
            deadline_workdays=deadline_workdays,
            facts=facts,
            project=project,
            warnings=list(warnings),
            problem=problem,
        )
    )
    with transaction.atomic():
        return _issue([draft], by=by, today=_today(today))[0]


def letters_issue_bulk(*, by, drafts: list[LetterDraft], today: dt.date | None = None) -> list[Letter]:
    """Issue every one of DRAFTS, numbered consecutively, or none: one draft refused refuses them all.
    A light that got a letter in hand since the preview refuses the batch too (issue it again after a
    new preview)."""
    require_supervision_office(by)
    if not drafts:
        raise ValidationError(_("没有可发督办函的预警。"))
    if len(drafts) > BULK_MAX:
        raise ValidationError(_("一次最多发 %(n)s 份督办函，请缩小筛选范围。") % {"n": BULK_MAX})
    errors = []
    for n, draft in enumerate(drafts, start=1):
        try:
            _check_draft(draft)
        except ValidationError as error:
            errors += [f"{n}. {draft.unit} · {draft.project or ''}：{m}" for m in error.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        covered = warnings_with_open_letters([w for d in drafts for w in d.warnings])
        if covered:
            raise ValidationError(
                _("有 %(n)s 个预警在预览后已发出督办函，请重新预览后再发。") % {"n": len(covered)}
            )
        return _issue(drafts, by=by, today=_today(today))


def letter_drafts_for_warnings(
    warnings, *, requirement: str, deadline_workdays: int
) -> tuple[list[LetterDraft], list[ProjectWarning]]:
    """One draft per (responsible unit, project) of WARNINGS (see selectors.warning_units), red lights
    first in each; and the lights left out because a letter about them is already in hand."""
    warnings = list(warnings)
    covered = warnings_with_open_letters(warnings)
    units = warning_units([w for w in warnings if w.pk not in covered])
    groups: dict[tuple, list] = {}
    for w in warnings:
        if w.pk in covered or w.pk not in units:
            continue
        groups.setdefault((units[w.pk].pk, w.project_id), []).append(w)
    drafts = []
    for lights in groups.values():
        lights.sort(key=lambda w: (w.level != "red", w.pk))
        project = lights[0].project
        subject = _("%(project)s预警问题整改") % {"project": project.name}
        facts = "\n".join(
            f"【{w.get_level_display()}】{w.rule.get_code_display()}：{w.message}" for w in lights
        )
        drafts.append(
            LetterDraft(
                unit=units[lights[0].pk],
                subject=subject[:200],
                requirement=requirement,
                deadline_workdays=deadline_workdays,
                facts=facts,
                project=project,
                warnings=lights,
            )
        )
    drafts.sort(key=lambda d: (d.unit.kind, d.unit.sort, d.unit.name, d.project.name))
    return drafts, [w for w in warnings if w.pk in covered]


def letter_reply(
    *, letter: Letter, by, note: str, files, today: dt.date | None = None, expected_version: int | None = None
) -> Letter:
    """The unit answers: what it did, with evidence (at least one file; a reply without evidence is
    refused). The office is told."""
    if not can_act_on_letter(by, letter, "reply"):
        raise PermissionDenied(_("只有督办函的责任单位可以回复。"))
    today = _today(today)
    note = _text(note, "note", _("请填写办理情况。"))
    files = _check_files(files, required_message=_("回复督办函须附佐证材料，请上传至少一个文件。"))
    with _step():
        letter = _locked(Letter, letter.pk)
        if not letter.awaits_unit:
            raise ValidationError(_("该督办函当前不需要回复。"))
        before = snapshot(letter)
        letter.status, letter.replied_on = LetterStatus.REPLIED, today
        _save(letter, by=by, before=before, expected_version=expected_version, project=letter.project)
        action = LetterAction.objects.create(
            letter=letter,
            kind=LetterAction.Kind.REPLY,
            by=by,
            by_org=by.organisation,
            note=note,
            level=letter.level,
        )
        for upload in files:
            _store(LetterEvidence, upload, letter=letter, action=action, uploaded_by=by)
        notification_send(
            recipients=_office_users(),
            kind=KIND_NEW,
            title=_("督办函已回复待审核：%(number)s %(unit)s")
            % {"number": letter.number, "unit": letter.unit},
            body=note,
            url=reverse("letter_detail", args=[letter.pk]),
            key=f"letter:{letter.pk}:reply:{action.pk}",
        )
    return letter


def letter_sign_off(
    *, letter: Letter, by, note: str = "", today: dt.date | None = None, expected_version: int | None = None
) -> Letter:
    """审核办结: the office accepts the reply; the letter is done."""
    require_supervision_office(by)
    note = _text(note, "note", required=False)
    with transaction.atomic():
        letter = _locked(Letter, letter.pk)
        if letter.status != LetterStatus.REPLIED:
            raise ValidationError(_("只有已回复的督办函可以审核办结。"))
        before = snapshot(letter)
        letter.status, letter.signed_off_on, letter.level_deadline = (
            LetterStatus.SIGNED_OFF,
            _today(today),
            None,
        )
        _save(letter, by=by, before=before, expected_version=expected_version, project=letter.project)
        LetterAction.objects.create(
            letter=letter,
            kind=LetterAction.Kind.SIGN_OFF,
            by=by,
            by_org=by.organisation,
            note=note,
            level=letter.level,
        )
        notification_send(
            recipients=_unit_users(letter.unit_id),
            kind=KIND_NEW,
            title=_("督办函已办结：%(number)s") % {"number": letter.number},
            body=note,
            url=reverse("letter_detail", args=[letter.pk]),
            key=f"letter:{letter.pk}:sign_off",
            organisations=[letter.unit_id],
        )
    return letter


def letter_return(
    *, letter: Letter, by, reason: str, today: dt.date | None = None, expected_version: int | None = None
) -> Letter:
    """退回重办: the office sends the reply back with a reason; the unit must reply again (its deadline
    stands, so a return after the deadline leaves the letter overdue)."""
    require_supervision_office(by)
    reason = _text(reason, "reason", _("请写明退回理由。"))
    with transaction.atomic():
        letter = _locked(Letter, letter.pk)
        if letter.status != LetterStatus.REPLIED:
            raise ValidationError(_("只有已回复的督办函可以退回。"))
        before = snapshot(letter)
        letter.status = LetterStatus.RETURNED
        _save(letter, by=by, before=before, expected_version=expected_version, project=letter.project)
        action = LetterAction.objects.create(
            letter=letter,
            kind=LetterAction.Kind.RETURN,
            by=by,
            by_org=by.organisation,
            note=reason,
            level=letter.level,
        )
        notification_send(
            recipients=_unit_users(letter.unit_id),
            kind=KIND_RETURNED,
            title=_("督办函回复被退回：%(number)s") % {"number": letter.number},
            body=reason,
            url=reverse("letter_detail", args=[letter.pk]),
            key=f"letter:{letter.pk}:return:{action.pk}",
            organisations=[letter.unit_id],
        )
    return letter


def letters_escalate_due(*, today: dt.date | None = None) -> dict:
    """升级督办: every letter still waiting for its unit whose level's time has run out moves up one level
    — 2 the office, 3 the project's city leader — as problems do: a level whose last day is D moves on
    the first working day after D; the new level has LEVEL_WORKDAYS working days from the run's day (none
    at the top); the unit, the office and (at 3) the leader are told. Idempotent: a second run the same
    day finds nothing due. A letter that fails is logged and left for the next run.

    Returns {"escalated": n, "failed": n, "today": the day used}."""
    today = _today(today)
    calendar = WorkCalendar.for_years(range(today.year - 1, today.year + 2))
    cutoff = last_workday_on_or_before(today, calendar)
    due = list(
        Letter.objects.filter(
            status__in=Letter.AWAITING_UNIT, level__lt=Letter.TOP_LEVEL, level_deadline__lt=cutoff
        ).values_list("pk", flat=True)
    )
    result = {"escalated": 0, "failed": 0, "today": today}
    office = list(_office_users())
    for pk in due:
        try:
            with transaction.atomic():
                letter = (
                    Letter.objects.select_for_update(of=("self",))
                    .select_related("project__leader")
                    .get(pk=pk)
                )
                if not (
                    letter.awaits_unit
                    and letter.level < Letter.TOP_LEVEL
                    and letter.level_deadline
                    and letter.level_deadline < cutoff
                ):
                    continue
                _escalate(letter, today=today, calendar=calendar, office=office)
        except Exception:
            log.exception("letter %s could not be escalated on %s; left for the next run", pk, today)
            result["failed"] += 1
            continue
        result["escalated"] += 1
    return result


def _escalate(letter: Letter, *, today, calendar, office):
    before = snapshot(letter)
    was = letter.level_deadline
    letter.level += 1
    letter.level_deadline = calendar.add(today, LEVEL_WORKDAYS) if letter.level < Letter.TOP_LEVEL else None
    letter.version += 1
    letter.save()
    audit_record(
        by=None, instance=letter, action=AuditEntry.Action.UPDATE, before=before, project=letter.project
    )
    names = {2: _("重点办督办"), 3: _("市领导督办")}
    note = _("超过期限（%(date)s）未办理，升级为“%(level)s”。") % {
        "date": was.isoformat(),
        "level": names[letter.level],
    }
    LetterAction.objects.create(letter=letter, kind=LetterAction.Kind.ESCALATE, note=note, level=letter.level)
    recipients = [*_unit_users(letter.unit_id), *office]
    if letter.level >= 3 and letter.project and letter.project.leader and letter.project.leader.is_active:
        recipients.append(letter.project.leader)
    notification_send(
        recipients=recipients,
        kind=KIND_OVERDUE,
        title=_("督办函逾期升级：%(number)s %(unit)s") % {"number": letter.number, "unit": letter.unit},
        body=note,
        url=reverse("letter_detail", args=[letter.pk]),
        key=f"letter:{letter.pk}:level:{letter.level}",
        organisations=[letter.unit_id],
    )


# --------------------------------------------------------------------------------------------------
# Inspections (督查) and rectification (整改)
# --------------------------------------------------------------------------------------------------


def inspection_create(
    *,
    by,
    title: str,
    date: dt.date,
    inspectors: Iterable[User],
    projects: Iterable[Project],
    summary: str = "",
) -> Inspection:
    """Record an inspection: its date, the inspectors and the projects visited. The office only."""
    require_supervision_office(by)
    title = _text(title, "title", _("请填写督查名称。"))[:200]
    summary = _text(summary, "summary", required=False)
    inspectors, projects = list(inspectors), list(projects)
    if not inspectors:
        raise ValidationError({"inspectors": _("请选择督查人员。")})
    if not projects:
        raise ValidationError({"projects": _("请选择督查的项目。")})
    with transaction.atomic():
        inspection = Inspection.objects.create(title=title, date=date, summary=summary, created_by=by)
        inspection.inspectors.set(inspectors)
        inspection.projects.set(projects)
        audit_record(by=by, instance=inspection, action=AuditEntry.Action.CREATE)
    return inspection


@dataclass
class ItemDraft:
    """One rectification item of a finding: UNIT must do REQUIREMENT within DEADLINE_WORKDAYS."""

    unit: Organisation
    requirement: str
    deadline_workdays: int


def finding_add(
    *,
    by,
    inspection: Inspection,
    description: str,
    items: list[ItemDraft],
    project: Project | None = None,
    photos=(),
    today: dt.date | None = None,
) -> Finding:
    """A finding of INSPECTION (on one of its projects, with site photos), and the rectification items
    it becomes, each due its working days from TODAY; each unit is told. The office only."""
    require_supervision_office(by)
    today = _today(today)
    description = _text(description, "description", _("请描述发现的问题。"))
    if project is not None and not inspection.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("该项目不在本次督查范围内。")})
    if not items:
        raise ValidationError({"unit": _("每个问题至少交办一个整改责任单位。")})
    for item in items:
        _unit(item.unit)
        item.requirement = _text(item.requirement, "requirement", _("请写明整改要求。"))
        _workdays(item.deadline_workdays, "deadline_workdays")
    photos = list(photos or ())
    if len(photos) > FILES_MAX:
        raise ValidationError({"photos": _("每次最多上传 %(n)s 张照片。") % {"n": FILES_MAX}})
    errors = []
    for photo in photos:
        try:
            photo_check(photo)
        except ValidationError as error:
            errors += error.messages
    if errors:
        raise ValidationError({"photos": errors})
    with _step():
        finding = Finding.objects.create(
            inspection=inspection, project=project, description=description, created_by=by
        )
        for photo in photos:
            _store(FindingPhoto, photo, finding=finding, uploaded_by=by)
        audit_record(by=by, instance=finding, action=AuditEntry.Action.CREATE, project=project)
        for draft in items:
            deadline = add_workdays(today, draft.deadline_workdays)
            item = Rectification.objects.create(
                finding=finding,
                unit=draft.unit,
                requirement=draft.requirement,
                deadline_workdays=draft.deadline_workdays,
                assigned_on=today,
                deadline=deadline,
            )
            RectificationAction.objects.create(
                rectification=item, kind=RectificationAction.Kind.ASSIGN, by=by, by_org=by.organisation
            )
            audit_record(by=by, instance=item, action=AuditEntry.Action.CREATE, project=project)
            notification_send(
                recipients=_unit_users(item.unit_id),
                kind=KIND_NEW,
                title=_("督查整改：%(inspection)s") % {"inspection": inspection.title},
                body=_("整改要求：%(requirement)s；整改期限：%(deadline)s。")
                % {"requirement": item.requirement, "deadline": deadline.isoformat()},
                url=reverse("rectification_detail", args=[item.pk]),
                key=f"rectification:{item.pk}:assign",
                organisations=[item.unit_id],
            )
    return finding


def rectification_submit(
    *,
    item: Rectification,
    by,
    note: str,
    files,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Rectification:
    """The unit reports what it put right, with evidence (required); the office is told."""
    if not can_act_on_rectification(by, item, "submit"):
        raise PermissionDenied(_("只有整改事项的责任单位可以提交整改情况。"))
    today = _today(today)
    note = _text(note, "note", _("请填写整改情况。"))
    files = _check_files(files, required_message=_("提交整改情况须附佐证材料，请上传至少一个文件。"))
    with _step():
        item = _locked(Rectification, item.pk)
        if not item.awaits_unit:
            raise ValidationError(_("该整改事项当前不需要提交。"))
        before = snapshot(item)
        item.status, item.submitted_on = ItemStatus.SUBMITTED, today
        _save(item, by=by, before=before, expected_version=expected_version)
        action = RectificationAction.objects.create(
            rectification=item, kind=RectificationAction.Kind.SUBMIT, by=by, by_org=by.organisation, note=note
        )
        for upload in files:
            _store(RectificationEvidence, upload, rectification=item, action=action, uploaded_by=by)
        notification_send(
            recipients=_office_users(),
            kind=KIND_NEW,
            title=_("整改情况待审核：%(unit)s") % {"unit": item.unit},
            body=note,
            url=reverse("rectification_detail", args=[item.pk]),
            key=f"rectification:{item.pk}:submit:{action.pk}",
        )
    return item


def rectification_decide(
    *,
    item: Rectification,
    by,
    accept: bool,
    note: str = "",
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Rectification:
    """审核: the office signs the item off (ACCEPT) or returns it with a reason; the unit is told."""
    require_supervision_office(by)
    note = _text(note, "note", None if accept else _("请写明退回理由。"), required=not accept)
    with transaction.atomic():
        item = _locked(Rectification, item.pk)
        if item.status != ItemStatus.SUBMITTED:
            raise ValidationError(_("只有已提交的整改事项可以审核。"))
        before = snapshot(item)
        if accept:
            item.status, item.signed_off_on = ItemStatus.SIGNED_OFF, _today(today)
        else:
            item.status = ItemStatus.RETURNED
        _save(item, by=by, before=before, expected_version=expected_version)
        kind = RectificationAction.Kind.SIGN_OFF if accept else RectificationAction.Kind.RETURN
        action = RectificationAction.objects.create(
            rectification=item, kind=kind, by=by, by_org=by.organisation, note=note
        )
        notification_send(
            recipients=_unit_users(item.unit_id),
            kind=KIND_NEW if accept else KIND_RETURNED,
            title=(_("整改事项已销号：%(r)s") if accept else _("整改情况被退回：%(r)s")) % {"r": item},
            body=note,
            url=reverse("rectification_detail", args=[item.pk]),
            key=f"rectification:{item.pk}:{kind}:{action.pk}",
            organisations=[item.unit_id],
        )
    return item


# --------------------------------------------------------------------------------------------------
# Tours (观摩评比)
# --------------------------------------------------------------------------------------------------


def _check_criteria(criteria) -> list[tuple[str, int]]:
    criteria = [(str(name).strip(), points) for name, points in criteria]
    if not criteria:
        raise ValidationError({"criteria": _("请至少设置一个评分项。")})
    names = [name for name, _p in criteria]
    if any(not name or len(name) > 50 for name in names):
        raise ValidationError({"criteria": _("评分项名称不能为空，且不超过 50 字。")})
    if len(set(names)) != len(names):
        raise ValidationError({"criteria": _("评分项名称不能重复。")})
    if any(not isinstance(p, int) or not 1 <= p <= 100 for _n, p in criteria):
        raise ValidationError({"criteria": _("每项分值应为 1 至 100 的整数。")})
    return criteria


def tour_create(
    *,
    by,
    title: str,
    date: dt.date,
    projects: Iterable[Project],
    jurors: Iterable[User],
    criteria=DEFAULT_CRITERIA,
) -> Tour:
    """A tour of PROJECTS scored by JURORS on CRITERIA ((name, max points), by default the usual form:
    进度 30, 投资 25, 质量安全 20, 要素保障 15, 现场管理 10). The office only."""
    require_supervision_office(by)
    title = _text(title, "title", _("请填写活动名称。"))[:200]
    projects, jurors = list(projects), list(jurors)
    if not projects:
        raise ValidationError({"projects": _("请选择观摩的项目。")})
    if not jurors:
        raise ValidationError({"jurors": _("请选择评委。")})
    criteria = _check_criteria(criteria)
    with transaction.atomic():
        tour = Tour.objects.create(title=title, date=date, created_by=by)
        tour.projects.set(projects)
        tour.jurors.set(jurors)
        TourCriterion.objects.bulk_create(
            TourCriterion(tour=tour, name=name, max_points=points, order=n)
            for n, (name, points) in enumerate(criteria)
        )
        audit_record(by=by, instance=tour, action=AuditEntry.Action.CREATE)
        for juror in jurors:
            notification_send(
                recipients=[juror],
                kind=KIND_NEW,
                title=_("观摩评比评分：%(title)s") % {"title": tour.title},
                url=reverse("tour_detail", args=[tour.pk]),
                key=f"tour:{tour.pk}:juror:{juror.pk}",
            )
    return tour


def tour_criteria_set(*, tour: Tour, by, criteria) -> list[TourCriterion]:
    """Replace TOUR's scoring form, only before any score is given (a changed form would change the
    meaning of the scores given on it)."""
    require_supervision_office(by)
    criteria = _check_criteria(criteria)
    with transaction.atomic():
        tour = _locked(Tour, tour.pk)
        if tour.status != Tour.Status.SCORING or tour.scores.exists():
            raise ValidationError({"criteria": _("已有评委评分，评分表不能再修改。")})
        before = {str(_("评分项")): "、".join(str(c) for c in tour.criteria.all())}
        tour.criteria.all().delete()
        rows = TourCriterion.objects.bulk_create(
            TourCriterion(tour=tour, name=name, max_points=points, order=n)
            for n, (name, points) in enumerate(criteria)
        )
        after = {str(_("评分项")): "、".join(str(c) for c in rows)}
        audit_record(by=by, instance=tour, action=AuditEntry.Action.UPDATE, before=before, after=after)
    return rows


def tour_score(*, tour: Tour, by, project: Project, points: dict) -> list[TourScore]:
    """Juror BY's form for PROJECT: POINTS maps each criterion id to a number from 0 to its maximum, in
    steps of 0.1. Every criterion must be scored; a score out of range refuses the form. A juror may
    change their form until the tour is closed."""
    with transaction.atomic():
        tour = _locked(Tour, tour.pk)
        if tour.status != Tour.Status.SCORING:
            raise ValidationError(_("观摩评比已结束，不能再评分。"))
        if not tour.jurors.filter(pk=by.pk).exists():
            raise ValidationError(_("只有本次观摩评比的评委可以评分。"))
        if not tour.projects.filter(pk=project.pk).exists():
            raise ValidationError(_("该项目不在本次观摩评比中。"))
        criteria = list(tour.criteria.all())
        errors, values = {}, {}
        for criterion in criteria:
            raw = points.get(criterion.pk)
            try:
                value = Decimal(str(raw)) if raw is not None and str(raw).strip() != "" else None
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                errors[f"c{criterion.pk}"] = _("请为“%(name)s”打分。") % {"name": criterion.name}
            elif not 0 <= value <= criterion.max_points or value != value.quantize(Decimal("0.1")):
                errors[f"c{criterion.pk}"] = _("“%(name)s”的得分应在 0 至 %(max)s 之间，最多一位小数。") % {
                    "name": criterion.name,
                    "max": criterion.max_points,
                }
            else:
                values[criterion.pk] = value.quantize(Decimal("0.1"))
        if set(points) - {c.pk for c in criteria}:
            errors["__all__"] = _("评分表已变化，请刷新后重新评分。")
        if errors:
            raise ValidationError(errors)
        before = {
            str(c): str(v)
            for c, v in TourScore.objects.filter(tour=tour, juror=by, project=project).values_list(
                "criterion__name", "points"
            )
        }
        rows = []
        for criterion in criteria:
            row, _created = TourScore.objects.update_or_create(
                juror=by,
                project=project,
                criterion=criterion,
                defaults={"tour": tour, "points": values[criterion.pk]},
            )
            rows.append(row)
        after = {c.name: str(values[c.pk]) for c in criteria}
        audit_record(
            by=by, instance=tour, action=AuditEntry.Action.UPDATE, before=before, after=after, project=project
        )
    return rows


def tour_close(*, tour: Tour, by) -> Tour:
    """结束评分: the results are final and count in assessment. The office only."""
    require_supervision_office(by)
    with transaction.atomic():
        tour = _locked(Tour, tour.pk)
        if tour.status == Tour.Status.CLOSED:
            raise ValidationError(_("观摩评比已结束。"))
        if not tour.scores.exists():
            raise ValidationError(_("还没有评委评分，不能结束。"))
        before = snapshot(tour)
        tour.status, tour.closed_at = Tour.Status.CLOSED, timezone.now()
        tour.save()
        audit_record(by=by, instance=tour, action=AuditEntry.Action.UPDATE, before=before)
    return tour
