"""Writes to the project registry. Each runs in one transaction and leaves an audit entry."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.lib.locking import save_versioned
from keyprojects.lib.text import search_key
from keyprojects.projects.hooks import Change, prelim_item_done, project_changed
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage, StageChange

# Allowed lifecycle moves. 暂停 returns to the stage it interrupted; 终止 is final.
TRANSITIONS = {
    Stage.RESERVE: {Stage.PRELIMINARY, Stage.CANCELLED},
    Stage.PRELIMINARY: {Stage.RESERVE, Stage.CONSTRUCTION, Stage.SUSPENDED, Stage.CANCELLED},
    Stage.CONSTRUCTION: {Stage.COMPLETED, Stage.SUSPENDED, Stage.CANCELLED},
    Stage.COMPLETED: {Stage.OPERATING},
    Stage.OPERATING: set(),
    Stage.SUSPENDED: {Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.CANCELLED},
    Stage.CANCELLED: set(),
}


def project_refresh_search_text(project: Project):
    """Set what PROJECT is found by (lib.text.search_key); every writer of projects calls this."""
    project.search_text = search_key(project.name, project.code or "", project.owner.name, project.location)


def project_create(*, by, departments=(), **fields) -> Project:
    """Register a project (stage 谋划储备 unless given) and record its creation."""
    _check_statistics(fields.get("statistics_registered"), fields.get("statistics_date"))
    project = Project(**fields)
    project_refresh_search_text(project)
    project.full_clean()
    with transaction.atomic():
        project.save()
        project.departments.set(departments)
        StageChange.objects.create(
            project=project,
            from_stage="",
            to_stage=project.stage,
            date=timezone.localdate(),
            by=by,
            note=_("项目入库"),
        )
        audit_record(by=by, instance=project, action=AuditEntry.Action.CREATE, project=project)
    return project


def project_update(*, project: Project, by, expected_version: int, departments=None, **fields) -> Project:
    """Change a project's registry fields; refuses an edit made on an outdated version (EditConflict).

    The stage and its dates move only through project_change_stage."""
    for name in ("stage", "start_date", "completion_date", "version"):
        fields.pop(name, None)
    _check_statistics(fields.get("statistics_registered"), fields.get("statistics_date"))
    with transaction.atomic():
        before = snapshot(Project.objects.get(pk=project.pk))
        for name, value in fields.items():
            setattr(project, name, value)
        project_refresh_search_text(project)
        project.full_clean()
        save_versioned(project, expected_version=expected_version)
        if departments is not None:
            project.departments.set(departments)
        audit_record(by=by, instance=project, action=AuditEntry.Action.UPDATE, before=before, project=project)
        project_changed.send(project_ids=[project.pk], change=Change.STATISTICS)
    return project


def _check_statistics(registered, on):
    """入统: a registered project needs its date, and the date cannot lie ahead."""
    errors = {}
    if registered and not on:
        errors["statistics_date"] = _("已入统的项目须填写入统日期。")
    if on and on > timezone.localdate():
        errors["statistics_date"] = _("入统日期不能晚于今天。")
    if on and registered is False:
        errors["statistics_date"] = _("未入统的项目不应填写入统日期。")
    if errors:
        raise ValidationError(errors)


def project_change_stage(
    *,
    project: Project,
    to_stage: str,
    on: dt.date,
    by,
    note: str = "",
    start_date: dt.date | None = None,
    completion_date: dt.date | None = None,
) -> StageChange:
    """Move PROJECT to TO_STAGE on date ON, enforcing the allowed moves and their gates:
    no 在建 without an actual start date, no 竣工 without a completion date."""
    today = timezone.localdate()
    errors = {}
    if to_stage not in TRANSITIONS.get(project.stage, set()):
        allowed = _("、").join(str(s.label) for s in Stage if s in TRANSITIONS[project.stage]) or _("无")
        errors["to_stage"] = _("项目当前处于“{current}”，不能直接转为“{target}”。可转为：{allowed}。").format(
            current=Stage(project.stage).label, target=Stage(to_stage).label, allowed=allowed
        )
    if on > today:
        errors["on"] = _("变更日期不能晚于今天。")
    start_date = start_date or project.start_date
    completion_date = completion_date or project.completion_date
    if to_stage == Stage.CONSTRUCTION and not start_date:
        errors["start_date"] = _("转为“在建”必须填写实际开工日期。")
    if start_date and start_date > today:
        errors["start_date"] = _("实际开工日期不能晚于今天。")
    if to_stage == Stage.COMPLETED:
        if not completion_date:
            errors["completion_date"] = _("转为“竣工”必须填写实际竣工日期。")
        elif start_date and completion_date < start_date:
            errors["completion_date"] = _("实际竣工日期不能早于实际开工日期（{start}）。").format(
                start=start_date
            )
        elif completion_date > today:
            errors["completion_date"] = _("实际竣工日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.stage != project.stage:
            raise ValidationError(
                {
                    "to_stage": _("项目阶段已被他人变更为“{stage}”，请刷新后重试。").format(
                        stage=Stage(locked.stage).label
                    )
                }
            )
        before = snapshot(locked, fields={"stage", "start_date", "completion_date"})
        change = StageChange.objects.create(
            project=project, from_stage=project.stage, to_stage=to_stage, date=on, note=note, by=by
        )
        project.stage = to_stage
        if to_stage == Stage.CONSTRUCTION:
            project.start_date = start_date
        if to_stage == Stage.COMPLETED:
            project.completion_date = completion_date
        project.version = locked.version + 1
        project.save(update_fields=["stage", "start_date", "completion_date", "version", "updated_at"])
        audit_record(
            by=by,
            instance=project,
            action=AuditEntry.Action.STAGE,
            before=before,
            after=snapshot(project, fields={"stage", "start_date", "completion_date"}),
            project=project,
        )
        project_changed.send(project_ids=[project.pk], change=Change.PROJECT)
    return change


def prelim_item_save(*, item: PrelimItem, by, expected_version: int | None = None) -> PrelimItem:
    """Create or update one preliminary-work item; an actual date cannot lie in the future. A done item
    completes the tasks generated from it (prelim_item_done)."""
    if item.actual_date and item.actual_date > timezone.localdate():
        raise ValidationError({"actual_date": _("实际完成日期不能晚于今天。")})
    item.full_clean()
    with transaction.atomic():
        if item.pk is None:
            item.save()
            audit_record(by=by, instance=item, action=AuditEntry.Action.CREATE, project=item.project)
        else:
            before = snapshot(PrelimItem.objects.get(pk=item.pk))
            save_versioned(item, expected_version=expected_version)
            audit_record(
                by=by, instance=item, action=AuditEntry.Action.UPDATE, before=before, project=item.project
            )
        if item.actual_date is not None:
            prelim_item_done.send(item=item, by=by)
        project_changed.send(project_ids=[item.project_id], change=Change.PRELIMINARY)
    return item


def prelim_item_complete(
    *, project: Project, kind: str, on: dt.date, by, document_no: str = ""
) -> PrelimItem:
    """Record preliminary item KIND of PROJECT as done ON, with DOCUMENT_NO when one is given: what
    completing the task generated from it says. Nothing is written when the item already says so."""
    item = PrelimItem.objects.filter(project=project, kind=kind).first() or PrelimItem(
        project=project, kind=kind
    )
    document_no = (document_no or "").strip()
    if item.actual_date == on and (not document_no or item.document_no == document_no):
        return item
    item.actual_date = on
    if document_no:
        item.document_no = document_no
    return prelim_item_save(item=item, by=by, expected_version=item.version if item.pk else None)


def factor_need_save(*, need: FactorNeed, by, expected_version: int | None = None) -> FactorNeed:
    """Create or update one factor need; funds carry money, the other factors quantities."""
    errors = {}
    if need.kind == FactorNeed.Kind.FUNDS:
        if not need.fund_source:
            errors["fund_source"] = _("资金需求须选择资金来源。")
        need.need_quantity = need.secured_quantity = None
        if need.need_yuan is None:
            errors["need_yuan"] = _("请填写需求资金（万元）。")
    else:
        need.fund_source = ""
        need.need_yuan = need.secured_yuan = None
        if need.need_quantity is None:
            errors["need_quantity"] = _("请填写需求量。")
        for name in ("need_quantity", "secured_quantity"):
            if getattr(need, name) is not None and getattr(need, name) < 0:
                errors[name] = _("数量不能为负数。")
    if errors:
        raise ValidationError(errors)
    need.full_clean()
    with transaction.atomic():
        if need.pk is None:
            need.save()
            audit_record(by=by, instance=need, action=AuditEntry.Action.CREATE, project=need.project)
        else:
            before = snapshot(FactorNeed.objects.get(pk=need.pk))
            save_versioned(need, expected_version=expected_version)
            audit_record(
                by=by, instance=need, action=AuditEntry.Action.UPDATE, before=before, project=need.project
            )
        project_changed.send(project_ids=[need.project_id], change=Change.FUNDS)
    return need


def factor_need_delete(*, need: FactorNeed, by) -> None:
    with transaction.atomic():
        before = snapshot(need)
        audit_record(
            by=by,
            instance=need,
            action=AuditEntry.Action.DELETE,
            before=before,
            after={},
            project=need.project,
        )
        project_id = need.project_id
        need.delete()
        project_changed.send(project_ids=[project_id], change=Change.FUNDS)
