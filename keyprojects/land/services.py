"""Writes to the land ledger. Each runs in one transaction and leaves an audit entry."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import audit_record, snapshot
from keyprojects.coordination.models import Problem
from keyprojects.coordination.services import problem_raise
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.lib.locking import save_versioned
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import Project

# Each cumulative figure of a month, the target it may not exceed, and how both are named in messages.
FIGURES = (
    ("land_acquired", "land_to_acquire", gettext_lazy("累计已征收土地"), gettext_lazy("需征收土地")),
    (
        "households_signed",
        "households_to_relocate",
        gettext_lazy("累计已签约户数"),
        gettext_lazy("需搬迁户数"),
    ),
    ("area_demolished", "area_to_demolish", gettext_lazy("累计已拆除面积"), gettext_lazy("需拆除房屋面积")),
    ("land_handed_over", "land_to_hand_over", gettext_lazy("累计已交付用地"), gettext_lazy("需交付用地")),
)
TARGETS = ("land_to_acquire", "households_to_relocate", "area_to_demolish", "land_to_hand_over")


def _check_targets(task: LandTask):
    errors = {}
    for name in TARGETS:
        if getattr(task, name) is None or Decimal(getattr(task, name)) < 0:
            errors[name] = _("不能为负数。")
    if task.start_date and task.target_date and task.target_date < task.start_date:
        errors["target_date"] = _("计划完成日期不能早于计划开始日期。")
    if errors:
        raise ValidationError(errors)
    latest = task.progress.order_by("-year", "-month").first() if task.pk else None
    if latest is not None:
        for done, target, done_label, target_label in FIGURES:
            if Decimal(getattr(latest, done)) > Decimal(getattr(task, target)):
                errors[target] = _("%(target)s不能小于已报送的%(done)s（%(value)s）。") % {
                    "target": target_label,
                    "done": done_label,
                    "value": _number(getattr(latest, done)),
                }
    if errors:
        raise ValidationError(errors)


def _number(value) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value != value.to_integral() else str(int(value))


def land_task_save(
    *,
    by,
    project: Project,
    responsible_unit: Organisation,
    land_to_acquire=0,
    households_to_relocate=0,
    area_to_demolish=0,
    land_to_hand_over=0,
    start_date: dt.date | None = None,
    target_date: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> LandTask:
    """Create or change PROJECT's land task (its targets). A change made on an outdated version raises
    EditConflict; a target below what is already reported is refused."""
    if responsible_unit is None:
        raise ValidationError({"responsible_unit": _("请选择责任单位。")})
    fields = {
        "responsible_unit": responsible_unit,
        "land_to_acquire": Decimal(land_to_acquire or 0),
        "households_to_relocate": int(households_to_relocate or 0),
        "area_to_demolish": Decimal(area_to_demolish or 0),
        "land_to_hand_over": Decimal(land_to_hand_over or 0),
        "start_date": start_date,
        "target_date": target_date,
        "note": note,
    }
    with transaction.atomic():
        task = LandTask.objects.select_for_update().filter(project=project).first()
        if task is None:
            task = LandTask(project=project, **fields)
            _check_targets(task)
            task.save()
            audit_record(by=by, instance=task, action=AuditEntry.Action.CREATE, project=project)
            return task
        before = snapshot(task)
        for name, value in fields.items():
            setattr(task, name, value)
        _check_targets(task)
        save_versioned(task, expected_version=task.version if expected_version is None else expected_version)
        audit_record(by=by, instance=task, action=AuditEntry.Action.UPDATE, before=before, project=project)
    return task


def land_progress_record(
    *,
    by,
    land_task: LandTask,
    year: int,
    month: int,
    land_acquired=0,
    households_signed=0,
    area_demolished=0,
    land_handed_over=0,
    note: str = "",
    today: dt.date | None = None,
) -> LandProgress:
    """Record (or correct) the cumulative figures at the end of YEAR-MONTH.

    Figures are cumulative: none may exceed its target, and none may fall below the month before
    (or rise above the month after) unless NOTE says why — a figure corrected downwards is a
    deliberate, explained act."""
    today = today or timezone.localdate()
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("月份应在 1 至 12 之间。")})
    if (int(year), int(month)) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的进展。")})
    values = {
        "land_acquired": Decimal(land_acquired or 0),
        "households_signed": int(households_signed or 0),
        "area_demolished": Decimal(area_demolished or 0),
        "land_handed_over": Decimal(land_handed_over or 0),
    }
    note = (note or "").strip()
    with transaction.atomic():
        task = LandTask.objects.select_for_update().get(pk=land_task.pk)
        errors = {}
        for done, target, done_label, target_label in FIGURES:
            if values[done] < 0:
                errors[done] = _("不能为负数。")
            elif values[done] > Decimal(getattr(task, target)):
                errors[done] = _("%(done)s（%(value)s）不能超过%(target)s（%(limit)s）。") % {
                    "done": done_label,
                    "value": _number(values[done]),
                    "target": target_label,
                    "limit": _number(getattr(task, target)),
                }
        rows = task.progress.exclude(year=year, month=month)
        before_row = (
            rows.filter(year__lte=year).exclude(year=year, month__gt=month).order_by("-year", "-month")
        )
        after_row = rows.filter(year__gte=year).exclude(year=year, month__lt=month).order_by("year", "month")
        previous, following = before_row.first(), after_row.first()
        if not note:
            for done, _target, done_label, _t in FIGURES:
                if done in errors:
                    continue
                if previous is not None and values[done] < Decimal(getattr(previous, done)):
                    errors[done] = _(
                        "%(done)s为累计数，不能少于%(y)s年%(m)s月的 %(value)s；确需调减请在“说明”中写明原因。"
                    ) % {
                        "done": done_label,
                        "y": previous.year,
                        "m": previous.month,
                        "value": _number(getattr(previous, done)),
                    }
                elif following is not None and values[done] > Decimal(getattr(following, done)):
                    errors[done] = _(
                        "%(done)s为累计数，不能多于%(y)s年%(m)s月的 %(value)s；确需调整请在“说明”中写明原因。"
                    ) % {
                        "done": done_label,
                        "y": following.year,
                        "m": following.month,
                        "value": _number(getattr(following, done)),
                    }
        if errors:
            raise ValidationError(errors)
        progress = LandProgress.objects.filter(land_task=task, year=year, month=month).first()
        if progress is None:
            progress = LandProgress.objects.create(
                land_task=task, year=year, month=month, note=note, reported_by=by, **values
            )
            audit_record(by=by, instance=progress, action=AuditEntry.Action.CREATE, project=task.project)
        else:
            before = snapshot(progress)
            for name, value in values.items():
                setattr(progress, name, value)
            progress.note = note
            progress.reported_by = by
            progress.save()
            audit_record(
                by=by,
                instance=progress,
                action=AuditEntry.Action.UPDATE,
                before=before,
                project=task.project,
            )
    return progress


def land_problem_raise(*, by, land_task: LandTask, title: str, description: str):
    """Raise a 征地拆迁 problem on LAND_TASK's project, led by the task's responsible unit."""
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写问题概述。")})
    if not (description or "").strip():
        raise ValidationError({"description": _("请填写问题描述。")})
    return problem_raise(
        by=by,
        project=land_task.project,
        category=Problem.Category.LAND,
        title=title.strip(),
        description=description.strip(),
        lead_unit=land_task.responsible_unit,
        source=Problem.Source.LAND,
    )
