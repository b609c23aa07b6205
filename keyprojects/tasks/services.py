"""Writes of task lists: tasks, their status and evidence, templates, and generation from a template.

Every write runs in one transaction, is audited, refreshes the project's warnings, and refuses bad
input with a Chinese ValidationError before anything is written."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_entry_build, audit_record, snapshot
from keyprojects.lib.locking import EditConflict, save_versioned
from keyprojects.lib.uploads import content_matches, upload_name
from keyprojects.lib.workdays import WorkCalendar, add_workdays
from keyprojects.notifications.models import Kind
from keyprojects.notifications.services import notification_send
from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.hooks import Change, project_changed
from keyprojects.projects.models import PrelimItem, Project
from keyprojects.projects.services import prelim_item_complete
from keyprojects.tasks.access import can_manage_tasks, can_work_on_task
from keyprojects.tasks.models import Task, TaskEvidence, TaskStatusChange, TaskTemplate, TaskTemplateItem

Status = Task.Status

# A template item lies at most this many working days (about three years) from the planned start.
MAX_OFFSET_WORKDAYS = 750
DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

# Evidence may be these kinds, each checked by its content (keyprojects/lib/uploads.py).
EVIDENCE_KINDS = ("pdf", "jpg", "jpeg", "png", "doc", "xls", "docx", "xlsx", "ofd", "zip")
EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
}


def evidence_max_bytes() -> int:
    return getattr(settings, "KP_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES)


def evidence_check(upload) -> str:
    """The extension of an acceptable evidence file, or a ValidationError naming the file."""
    name = upload_name(upload.name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = evidence_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过了 %(limit)s 的上限，请压缩或拆分后再上传。")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if ext not in EVIDENCE_KINDS:
        raise ValidationError(
            _(
                "文件“%(name)s”的类型不允许上传。佐证材料只能是 PDF、JPG/PNG 图片、Word（doc/docx）、"
                "Excel（xls/xlsx）、OFD 或 ZIP 文件。"
            )
            % {"name": name}
        )
    if upload.size == 0 or not content_matches(upload, ext):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名“.%(ext)s”不符或文件已损坏，请检查后重新上传。")
            % {"name": name, "ext": ext}
        )
    return ext


def _store_evidence(task, uploads, user) -> list[TaskEvidence]:
    stored = []
    for upload, ext in uploads:
        evidence = TaskEvidence(task=task, uploaded_by=user, original_name=upload_name(upload.name))
        # A name of our own: the uploaded one may carry path tricks.
        evidence.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        evidence.save()
        stored.append(evidence)
    return stored


def _remove_files(evidence):
    for e in evidence:
        if e.file:
            e.file.delete(save=False)


def _task_url(task) -> str:
    return reverse("task_detail", args=[task.pk])


def _unit_users(unit_ids) -> list[User]:
    """The people who work on a unit's tasks (a leader in the office's organisation only reads them)."""
    return list(
        User.objects.filter(organisation_id__in=unit_ids, is_active=True).exclude(role=User.Role.LEADER)
    )


def _notify_assigned(task: Task) -> None:
    recipients = _unit_users([task.responsible_unit_id])
    if task.responsible_user_id and task.responsible_user not in recipients:
        recipients.append(task.responsible_user)
    notification_send(
        recipients=recipients,
        kind=Kind.TASK_ASSIGNED,
        title=_("新任务：%(project)s · %(title)s") % {"project": task.project.name, "title": task.title},
        body=_("完成时限：%(deadline)s。%(requirement)s")
        % {"deadline": task.deadline.isoformat(), "requirement": task.requirement},
        url=_task_url(task),
        key=f"task:{task.pk}:assigned:{task.responsible_unit_id}:{task.version}",
        organisations=[task.responsible_unit_id],
    )


def _notify_reopened(task: Task, *, by, note: str) -> None:
    notification_send(
        recipients=[u for u in _unit_users([task.responsible_unit_id]) if u.pk != by.pk],
        kind=Kind.TASK_REOPENED,
        title=_("任务重新打开：%(project)s · %(title)s")
        % {"project": task.project.name, "title": task.title},
        body=_("完成时限：%(deadline)s。%(note)s") % {"deadline": task.deadline.isoformat(), "note": note},
        url=_task_url(task),
        key=f"task:{task.pk}:reopened:{task.version}",
        organisations=[task.responsible_unit_id],
    )


def _resolve_deadline(*, start_date, deadline, deadline_workdays, errors) -> dt.date | None:
    if deadline_workdays is not None:
        if deadline_workdays < 1:
            errors["deadline_workdays"] = _("工作日时限至少为 1 个工作日。")
            return None
        if start_date is None:
            errors["start_date"] = _("按工作日时限计算完成时限时，必须填写开始日期。")
            return None
        return add_workdays(start_date, deadline_workdays)
    if deadline is None:
        errors["deadline"] = _("请填写完成时限，或填写开始日期和工作日时限。")
        return None
    return deadline


def deadline_before_start(deadline: dt.date, start: dt.date) -> str:
    return _("完成时限（%(deadline)s）不能早于开始日期（%(start)s）。") % {
        "deadline": deadline.isoformat(),
        "start": start.isoformat(),
    }


def _validate_task_fields(*, title, responsible_unit, responsible_user, start_date, deadline, errors):
    if not (title or "").strip():
        errors["title"] = _("请填写任务名称。")
    if responsible_unit is None:
        errors["responsible_unit"] = _("请选择责任单位。")
    elif responsible_user is not None and responsible_user.organisation_id != responsible_unit.pk:
        errors["responsible_user"] = _("责任人账号“%(user)s”不属于责任单位“%(unit)s”。") % {
            "user": responsible_user,
            "unit": responsible_unit,
        }
    if start_date and deadline and deadline < start_date:
        errors["deadline"] = deadline_before_start(deadline, start_date)


def task_create(
    *,
    by,
    project: Project,
    title: str,
    responsible_unit: Organisation,
    deadline: dt.date | None = None,
    deadline_workdays: int | None = None,
    start_date: dt.date | None = None,
    requirement: str = "",
    responsible_person: str = "",
    responsible_user=None,
    source: str = Task.Source.MANUAL,
    prelim_kind: str = "",
) -> Task:
    """Add a task to PROJECT. The deadline is a date, or DEADLINE_WORKDAYS working days after
    START_DATE; it may not fall before the start (one in a provisional year is accepted, shown 暂定).
    The responsible unit's users are notified."""
    if not can_manage_tasks(by, project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以新增任务。"))
    errors = {}
    deadline = _resolve_deadline(
        start_date=start_date, deadline=deadline, deadline_workdays=deadline_workdays, errors=errors
    )
    _validate_task_fields(
        title=title,
        responsible_unit=responsible_unit,
        responsible_user=responsible_user,
        start_date=start_date,
        deadline=deadline,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    task = Task(
        project=project,
        title=title.strip(),
        requirement=requirement,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        responsible_user=responsible_user,
        start_date=start_date,
        deadline=deadline,
        deadline_workdays=deadline_workdays,
        source=source,
        prelim_kind=prelim_kind,
        created_by=by,
    )
    with transaction.atomic():
        task.save()
        TaskStatusChange.objects.create(task=task, from_status="", to_status=task.status, by=by)
        audit_record(by=by, instance=task, action=AuditEntry.Action.CREATE, project=project)
        if prelim_kind and tasks_follow_checklist(project=project, by=by):
            task.refresh_from_db()
        if task.is_open:
            _notify_assigned(task)
        project_changed.send(project_ids=[project.pk], change=Change.TASKS)
    return task


UPDATABLE = (
    "title",
    "requirement",
    "responsible_unit",
    "responsible_person",
    "responsible_user",
    "start_date",
    "deadline",
    "deadline_workdays",
)


def task_update(*, by, task: Task, expected_version: int, **fields) -> Task:
    """Change a task's title, requirement, responsibility or dates; refuses an edit made on an outdated
    version (EditConflict). A new responsible unit is notified."""
    if not can_manage_tasks(by, task.project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以修改任务。"))
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"task_update does not change {sorted(unknown)}")
    values = {name: fields.get(name, getattr(task, name)) for name in UPDATABLE}
    if fields.get("deadline") is not None and "deadline_workdays" not in fields:
        values["deadline_workdays"] = None  # a new date replaces a count of working days
    errors = {}
    deadline = _resolve_deadline(
        start_date=values["start_date"],
        deadline=values["deadline"],
        deadline_workdays=values["deadline_workdays"],
        errors=errors,
    )
    _validate_task_fields(
        title=values["title"],
        responsible_unit=values["responsible_unit"],
        responsible_user=values["responsible_user"],
        start_date=values["start_date"],
        deadline=deadline,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    old_unit = task.responsible_unit_id
    with transaction.atomic():
        before = snapshot(Task.objects.get(pk=task.pk))
        for name, value in values.items():
            setattr(task, name, value)
        task.title = task.title.strip()
        task.deadline = deadline
        save_versioned(task, expected_version=expected_version)
        audit_record(
            by=by, instance=task, action=AuditEntry.Action.UPDATE, before=before, project=task.project
        )
        if task.responsible_unit_id != old_unit:
            _notify_assigned(task)
        project_changed.send(project_ids=[task.project_id], change=Change.TASKS)
    return task


# Allowed moves. A done task is reopened (to todo or doing) before anything else; a cancelled one is
# restored the same way.
MOVES = {
    Status.TODO: {Status.DOING, Status.DONE, Status.CANCELLED},
    Status.DOING: {Status.TODO, Status.DONE, Status.CANCELLED},
    Status.DONE: {Status.TODO, Status.DOING},
    Status.CANCELLED: {Status.TODO, Status.DOING},
}


def task_set_status(
    *,
    by,
    task: Task,
    status: str,
    completed_date: dt.date | None = None,
    note: str = "",
    files=(),
    expected_version: int | None = None,
    document_no: str = "",
) -> Task:
    """Move TASK to STATUS. Done needs a completion date not in the future and evidence (a file given
    now or before, or a note); reopening a done task clears its completion date and keeps its history.
    Cancelling and restoring are for those who manage the project's tasks. A task generated from a
    preliminary item completes that item on the project too, on the same date with DOCUMENT_NO."""
    if status not in Status.values:
        raise ValidationError({"status": _("未知的任务状态。")})
    managing = status == Status.CANCELLED or task.status == Status.CANCELLED
    if managing and not can_manage_tasks(by, task.project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以取消或恢复任务。"))
    if not can_work_on_task(by, task):
        raise PermissionDenied(_("只有责任单位、项目业主和重点办可以办理该任务。"))
    today = timezone.localdate()
    note = (note or "").strip()
    errors = {}
    if status not in MOVES[task.status]:
        errors["status"] = _("任务当前为“%(current)s”，不能改为“%(target)s”。") % {
            "current": Status(task.status).label,
            "target": Status(status).label,
        }
    checked = []
    if status == Status.DONE:
        if completed_date is None:
            errors["completed_date"] = _("请填写完成日期。")
        elif completed_date > today:
            errors["completed_date"] = _("完成日期（%(date)s）不能晚于今天（%(today)s）。") % {
                "date": completed_date.isoformat(),
                "today": today.isoformat(),
            }
        elif task.start_date and completed_date < task.start_date:
            errors["completed_date"] = _("完成日期（%(date)s）不能早于任务开始日期（%(start)s）。") % {
                "date": completed_date.isoformat(),
                "start": task.start_date.isoformat(),
            }
    file_errors = []
    for upload in files:
        try:
            checked.append((upload, evidence_check(upload)))
        except ValidationError as error:
            file_errors.extend(error.messages)
    if file_errors:
        errors["files"] = file_errors
    if status == Status.DONE and not errors and not checked and not note:
        if not task.evidence.exists():
            errors["note"] = _("标记完成需要上传佐证材料，或填写完成情况说明。")
    if status == Status.CANCELLED and not note:
        errors["note"] = _("取消任务请说明原因。")
    if errors:
        raise ValidationError(errors)
    written = []
    try:
        with transaction.atomic():
            current = Task.objects.select_for_update().get(pk=task.pk)
            stale = expected_version is not None and current.version != expected_version
            if stale or current.status != task.status:
                raise EditConflict()
            before = snapshot(current)
            previous = task.status
            written = _store_evidence(task, checked, by)
            if status == Status.DONE and note:
                written.append(TaskEvidence.objects.create(task=task, note=note, uploaded_by=by))
            task.status = status
            task.completed_date = completed_date if status == Status.DONE else None
            task.version = current.version + 1
            task.save()
            document_no = (document_no or "").strip() if task.prelim_kind else ""
            TaskStatusChange.objects.create(
                task=task,
                from_status=previous,
                to_status=status,
                note=" ".join(filter(None, [note, _document_label(document_no)]))[:500],
                completed_date=task.completed_date,
                by=by,
            )
            audit_record(
                by=by, instance=task, action=AuditEntry.Action.UPDATE, before=before, project=task.project
            )
            if previous in (Status.DONE, Status.CANCELLED) and status in (Status.TODO, Status.DOING):
                _notify_reopened(task, by=by, note=note)
            if status == Status.DONE and task.prelim_kind:
                prelim_item_complete(
                    project=task.project,
                    kind=task.prelim_kind,
                    on=completed_date,
                    document_no=document_no,
                    by=by,
                )
            project_changed.send(project_ids=[task.project_id], change=Change.TASKS)
    except BaseException:
        _remove_files(written)
        raise
    return task


def task_add_evidence(*, by, task: Task, files=(), note: str = "") -> list[TaskEvidence]:
    """Attach evidence files and/or a note to TASK. Every file is checked (type by content, size
    cap KP_EVIDENCE_MAX_BYTES) before any is stored."""
    if not can_work_on_task(by, task):
        raise PermissionDenied(_("只有责任单位、项目业主和重点办可以上传佐证材料。"))
    note = (note or "").strip()
    checked, messages = [], []
    for upload in files:
        try:
            checked.append((upload, evidence_check(upload)))
        except ValidationError as error:
            messages.extend(error.messages)
    if messages:
        raise ValidationError({"files": messages})
    if not checked and not note:
        raise ValidationError({"files": _("请选择要上传的文件，或填写说明。")})
    written = []
    try:
        with transaction.atomic():
            written = _store_evidence(task, checked, by)
            if note:
                written.append(TaskEvidence.objects.create(task=task, note=note, uploaded_by=by))
            for evidence in written:
                audit_record(
                    by=by,
                    instance=evidence,
                    action=AuditEntry.Action.CREATE,
                    after={
                        _("任务"): task.title,
                        _("文件名"): evidence.original_name,
                        _("说明"): evidence.note,
                    },
                    project=task.project,
                )
            project_changed.send(project_ids=[task.project_id], change=Change.TASKS)
    except BaseException:
        _remove_files(written)
        raise
    return written


# The checklist: a task generated from a preliminary item and the item are one fact

PERMIT = PrelimItem.Kind.CONSTRUCTION_PERMIT


def _document_label(document_no: str) -> str:
    return _("批复文号：%(no)s") % {"no": document_no} if document_no else ""


def settling_item(kind: str, done: dict) -> PrelimItem | None:
    """The record of the project's checklist that settles a task from preliminary item KIND: the item
    itself once done, else a granted construction permit, the last item, which every other one precedes
    (an enterprise project files no 可研批复, yet its permit leaves nothing of that task to do). DONE:
    {kind: item} of the project's done items."""
    if not kind:
        return None
    return done.get(kind) or done.get(PERMIT)


def settled_note(item: PrelimItem) -> str:
    """How a task settled by ITEM says so, in its history and as its evidence."""
    document = _document_label(item.document_no)
    return _("前期事项“%(kind)s”已于 %(date)s 办结%(doc)s（据前期工作事项记录）。") % {
        "kind": item.get_kind_display(),
        "date": item.actual_date.isoformat(),
        "doc": f"，{document}" if document else "",
    }


def tasks_follow_checklist(*, project: Project, by) -> list[Task]:
    """Bring PROJECT's tasks from preliminary items in line with its checklist: an open one that its item
    (or the permit, see settling_item) settles is done on that item's date, with the approval as its
    evidence; a done one whose item's date has changed since takes the new date. Each change is audited.
    Returns the tasks changed. Run inside the writer's transaction."""
    today = timezone.localdate()
    done = {
        p.kind: p
        for p in PrelimItem.objects.filter(project=project, actual_date__isnull=False, actual_date__lte=today)
    }
    if not done:
        return []
    tasks = (
        Task.objects.select_for_update()
        .filter(project=project)
        .exclude(prelim_kind="")
        .filter(Q(status__in=Task.OPEN) | Q(status=Status.DONE, prelim_kind__in=list(done)))
    )
    changed = []
    for task in tasks:
        item = settling_item(task.prelim_kind, done)
        if item is None or task.completed_date == item.actual_date:
            continue
        before = snapshot(task)
        previous = task.status
        task.status, task.completed_date = Status.DONE, item.actual_date
        if task.start_date and task.start_date > item.actual_date:
            task.start_date = None
        task.version += 1
        task.save()
        note = settled_note(item)
        if previous != Status.DONE:
            TaskEvidence.objects.create(task=task, note=note, uploaded_by=by)
        TaskStatusChange.objects.create(
            task=task,
            from_status=previous,
            to_status=Status.DONE,
            note=note[:500],
            completed_date=item.actual_date,
            by=by,
        )
        audit_record(by=by, instance=task, action=AuditEntry.Action.UPDATE, before=before, project=project)
        changed.append(task)
    if changed:
        project_changed.send(project_ids=[project.pk], change=Change.TASKS)
    return changed


def tasks_on_prelim_item_done(*, item: PrelimItem, by) -> None:
    """Registered on projects.hooks.prelim_item_done in TasksConfig.ready."""
    tasks_follow_checklist(project=item.project, by=by)


# Templates


def _clean_items(items) -> list[dict]:
    """Validate template items (dicts of TaskTemplateItem fields, "id" for existing ones)."""
    errors, cleaned = [], []
    for number, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        offset = item.get("offset_workdays")
        if not title:
            errors.append(_("第 %(n)s 项：请填写任务名称。") % {"n": number})
        if offset is None:
            errors.append(_("第 %(n)s 项：请填写相对计划开工月首日的工作日数。") % {"n": number})
        elif abs(offset) > MAX_OFFSET_WORKDAYS:
            errors.append(
                _("第 %(n)s 项：工作日数 %(offset)s 超出范围（-%(max)s 至 %(max)s）。")
                % {"n": number, "offset": offset, "max": MAX_OFFSET_WORKDAYS}
            )
        if (
            item.get("responsible", TaskTemplateItem.Responsible.OWNER)
            not in TaskTemplateItem.Responsible.values
        ):
            errors.append(_("第 %(n)s 项：未知的责任单位类型。") % {"n": number})
        cleaned.append({**item, "title": title})
    if errors:
        raise ValidationError({"items": errors})
    return cleaned


ITEM_FIELDS = ("order", "title", "requirement", "responsible", "prelim_kind", "offset_workdays")


def _write_items(template, items):
    keep = []
    existing = {i.pk: i for i in template.items.all()}
    for number, data in enumerate(items, start=1):
        item = existing.get(data.get("id")) or TaskTemplateItem(template=template)
        for name in ITEM_FIELDS:
            if name in data:
                setattr(item, name, data[name] if data[name] is not None else "")
        if not data.get("order"):
            item.order = number * 10
        item.save()
        keep.append(item.pk)
    template.items.exclude(pk__in=keep).delete()


def _template_snapshot(template) -> dict:
    values = snapshot(template)
    values[str(_("模板任务"))] = "\n".join(
        f"{i.order}. {i.title}（{i.get_responsible_display()}，{i.offset_workdays}）"
        for i in template.items.all()
    )
    return values


def task_template_create(*, by, category: str, name: str, is_active: bool = True, items=()) -> TaskTemplate:
    """A new template for CATEGORY (office only)."""
    require_office(by)
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写模板名称。")})
    items = _clean_items(items)
    template = TaskTemplate(category=category, name=name.strip(), is_active=is_active)
    template.full_clean()
    with transaction.atomic():
        template.save()
        _write_items(template, items)
        audit_record(
            by=by, instance=template, action=AuditEntry.Action.CREATE, after=_template_snapshot(template)
        )
    return template


def task_template_update(
    *, by, template: TaskTemplate, expected_version: int, category: str, name: str, is_active: bool, items
) -> TaskTemplate:
    """Change a template and its items (those missing from ITEMS are deleted); EditConflict when
    someone else changed it meanwhile."""
    require_office(by)
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写模板名称。")})
    items = _clean_items(items)
    with transaction.atomic():
        before = _template_snapshot(TaskTemplate.objects.get(pk=template.pk))
        template.category, template.name, template.is_active = category, name.strip(), is_active
        template.full_clean()
        save_versioned(template, expected_version=expected_version)
        _write_items(template, items)
        audit_record(
            by=by,
            instance=template,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_template_snapshot(template),
        )
    return template


def task_template_delete(*, by, template: TaskTemplate) -> None:
    """Delete a template; tasks generated from it stay (they lose only the link to the item)."""
    require_office(by)
    with transaction.atomic():
        before = _template_snapshot(template)
        audit_record(by=by, instance=template, action=AuditEntry.Action.DELETE, before=before, after={})
        template.delete()


# Generation


@dataclass
class Generated:
    created: list = field(default_factory=list)
    done: list = field(default_factory=list)  # created as done: their preliminary item was already done
    skipped: list = field(default_factory=list)  # template items already on the project's list


def _office_unit():
    return (
        Organisation.objects.filter(kind=Organisation.Kind.OFFICE, is_active=True)
        .order_by("sort", "pk")
        .first()
    )


def _units_for(project: Project) -> dict:
    department = project.departments.order_by("sort", "name").first()
    R = TaskTemplateItem.Responsible
    return {
        R.OWNER: project.owner,
        R.DISTRICT: project.district,
        R.DEPARTMENT: department or project.district,
        R.OFFICE: _office_unit() or project.district,
    }


def _workdays_from(calendar: WorkCalendar, start: dt.date, step: int, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        day += dt.timedelta(days=step)
        if calendar.is_workday(day):
            days.append(day)
    return days


def template_deadlines(*, template: TaskTemplate, planned_start: dt.date, items=None) -> dict:
    """{item: deadline} of TEMPLATE for a project planned to start in PLANNED_START's month: OFFSET
    working days from the month's first day (a provisional year's deadlines are provisional too)."""
    first = planned_start.replace(day=1)
    items = list(template.items.all()) if items is None else items
    years = range(first.year - 4, first.year + 5)  # offsets are capped at about three years
    calendar = WorkCalendar.for_years(years)
    # One walk each way serves every item: the k-th working day before and after the first.
    back = _workdays_from(calendar, first, -1, max([-i.offset_workdays for i in items] + [0]))
    ahead = _workdays_from(calendar, first, 1, max([i.offset_workdays for i in items] + [0]))
    deadlines = {}
    for item in items:
        n = item.offset_workdays
        if n == 0:
            deadlines[item] = first
        else:
            deadlines[item] = ahead[n - 1] if n > 0 else back[-n - 1]
    return deadlines


def tasks_generate_from_template(
    *, by, project: Project, template: TaskTemplate, planned_start: dt.date
) -> Generated:
    """Generate PROJECT's standard task list from TEMPLATE in one action.

    Deadlines are set back from the planned start month (each item's working-day offset from its first
    day). Items already on the project's list (from this template, or the same preliminary item or title)
    are skipped; an item whose preliminary approval the project already holds is created as done on the
    approval's date, with the approval as its evidence."""
    if not can_manage_tasks(by, project):
        raise PermissionDenied(_("只有重点办和项目所在城区可以生成任务清单。"))
    if planned_start is None:
        raise ValidationError({"planned_start": _("请填写计划开工月份。")})
    items = sorted(template.items.all(), key=lambda i: (i.offset_workdays, i.order, i.pk))
    if not items:
        raise ValidationError({"template": _("模板“%(name)s”还没有任务。") % {"name": template.name}})
    deadlines = template_deadlines(template=template, planned_start=planned_start, items=items)
    today = timezone.localdate()
    units = _units_for(project)
    result = Generated()
    with transaction.atomic():
        # One generator per project at a time, so that two clicks do not add the list twice.
        list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True))
        existing = list(
            Task.objects.filter(project=project)
            .exclude(status=Status.CANCELLED)
            .values_list("template_item_id", "prelim_kind", "title")
        )
        have_items = {e[0] for e in existing if e[0]}
        have_kinds = {e[1] for e in existing if e[1]}
        have_titles = {e[2] for e in existing}
        approvals = {
            p.kind: p
            for p in PrelimItem.objects.filter(
                project=project, actual_date__isnull=False, actual_date__lte=today
            )
        }
        tasks, previous = [], None
        for item in items:
            deadline = deadlines[item]
            start, previous = previous, deadline
            if (
                item.pk in have_items
                or (item.prelim_kind and item.prelim_kind in have_kinds)
                or (item.title in have_titles)
            ):
                result.skipped.append(item)
                continue
            approval = settling_item(item.prelim_kind, approvals)
            task = Task(
                project=project,
                title=item.title,
                requirement=item.requirement,
                responsible_unit=units[item.responsible],
                start_date=start if start and start <= deadline else None,
                deadline=deadline,
                source=Task.Source.TEMPLATE,
                template_item=item,
                prelim_kind=item.prelim_kind,
                created_by=by,
            )
            if approval is not None:
                task.status = Status.DONE
                task.completed_date = approval.actual_date
                if task.start_date and task.start_date > approval.actual_date:
                    task.start_date = None
            tasks.append((task, approval))
        Task.objects.bulk_create([t for t, _a in tasks])
        changes, evidence, audits = [], [], []
        for task, approval in tasks:
            changes.append(TaskStatusChange(task=task, from_status="", to_status=Status.TODO, by=by))
            if approval is not None:
                note = settled_note(approval)
                changes.append(
                    TaskStatusChange(
                        task=task,
                        from_status=Status.TODO,
                        to_status=Status.DONE,
                        note=note[:500],
                        completed_date=approval.actual_date,
                        by=by,
                    )
                )
                evidence.append(TaskEvidence(task=task, note=note, uploaded_by=by))
                result.done.append(task)
            else:
                result.created.append(task)
            audits.append(
                audit_entry_build(by=by, instance=task, action=AuditEntry.Action.CREATE, project=project)
            )
        TaskStatusChange.objects.bulk_create(changes)
        TaskEvidence.objects.bulk_create(evidence)
        AuditEntry.objects.bulk_create([a for a in audits if a is not None])
        # One message per responsible unit for the whole list, not one per task.
        by_unit = {}
        for task in result.created:
            by_unit.setdefault(task.responsible_unit_id, []).append(task)
        for unit_id, unit_tasks in by_unit.items():
            notification_send(
                recipients=_unit_users([unit_id]),
                kind=Kind.TASK_ASSIGNED,
                title=_("新任务：%(project)s 新增 %(n)s 项任务")
                % {"project": project.name, "n": len(unit_tasks)},
                body="；".join(f"{t.title}（{t.deadline.isoformat()}）" for t in unit_tasks),
                url=reverse("task_project", args=[project.pk]),
                key=f"task:{unit_tasks[0].pk}:generated:{unit_id}",
                organisations=[unit_id],
            )
        if tasks:
            project_changed.send(project_ids=[project.pk], change=Change.TASKS)
    return result


# Calendar confirmation


def tasks_recompute_deadlines(*, year: int, before: WorkCalendar, after: WorkCalendar, by, today) -> list:
    """When YEAR's official holiday schedule is confirmed: every open task whose deadline is N working
    days from its start and whose count runs through YEAR gets its deadline recomputed on the official
    calendar, each change in the task's history. A date given as such stays as it was. Registered in
    TasksConfig.ready (lib.workdays.on_calendar_confirmed)."""
    tasks = list(
        Task.objects.filter(
            status__in=Task.OPEN,
            deadline_workdays__isnull=False,
            start_date__isnull=False,
            start_date__year__lte=year,
            deadline__year__gte=year,
        ).select_related("project")
    )
    now = timezone.now()
    changed, audits = [], []
    for task in tasks:
        deadline = after.add(task.start_date, task.deadline_workdays)
        if deadline == task.deadline:
            continue
        old = snapshot(task, fields=["deadline"])
        task.deadline, task.version, task.updated_at = deadline, task.version + 1, now
        audits.append(
            audit_entry_build(
                by=by,
                instance=task,
                action=AuditEntry.Action.UPDATE,
                before=old,
                after=snapshot(task, fields=["deadline"]),
                project=task.project,
            )
        )
        changed.append(task)
    Task.objects.bulk_update(changed, ["deadline", "version", "updated_at"], batch_size=500)
    AuditEntry.objects.bulk_create([a for a in audits if a is not None], batch_size=500)
    if changed:
        project_changed.send(
            project_ids=sorted({t.project_id for t in changed}), change=Change.TASKS, after_commit=True
        )
    return [(_("任务完成时限"), len(changed))]
