"""Scoring a period in the worker: on a large installation the request only checks the period and queues
the computation (assessment_run_task), and the score overview shows it queued, running, then its result;
up to KP_ASSESS_SYNC_PROJECTS projects it is computed inside the request, as before."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.assessment import services
from keyprojects.assessment.periods import Period
from keyprojects.lib.background import background_task, waiting
from keyprojects.orgs.models import User
from keyprojects.projects.models import Project

# A finished computation's result stays on the overview this long (the next visit has fresh scores).
RESULT_SHOWN = dt.timedelta(hours=1)


def _sync_projects() -> int:
    # Up to this many projects a period is scored inside the request in a few seconds.
    return getattr(settings, "KP_ASSESS_SYNC_PROJECTS", 3000)


def assessment_compute(*, period: Period, today: dt.date, by) -> services.RunResult | None:
    """Score PERIOD for BY: now, returning the result, on a small installation; else queue it for the
    worker (once while it waits) and return None. A period that cannot be scored is refused at once."""
    services.assessment_check(period=period, today=today, by=by)
    if Project.objects.count() <= _sync_projects():
        return services.assessment_run(period=period, today=today, by=by)
    if not waiting(assessment_run_task, period.code):
        assessment_run_task.enqueue(period.code, by.pk)
    return None


# Scoring is idempotent (a second run with the same records writes nothing): a run cut short runs again.
@background_task(idempotent=True)
def assessment_run_task(period_code: str, user_id: int) -> dict:
    """Score PERIOD_CODE as the user who asked; the counts, or why it was refused, are the task's result."""
    by = User.objects.filter(pk=user_id).first()
    try:
        result = services.assessment_run(period=Period.parse(period_code), today=timezone.localdate(), by=by)
    except ValidationError as error:
        return {"refused": "；".join(error.messages)}
    except PermissionDenied as error:
        return {"refused": str(error)}
    return {"created": result.created, "changed": result.changed, "removed": result.removed}


@dataclass
class ComputeStatus:
    period: Period
    pending: bool
    failed: bool
    message: str


def compute_status(period_code: str, *, now: dt.datetime | None = None) -> ComputeStatus | None:
    """How the latest queued computation of PERIOD_CODE goes: queued, running, or (for RESULT_SHOWN
    after it ended) its result; None when there is none."""
    try:
        period = Period.parse(period_code)
    except ValueError:
        return None
    task = (
        DBTaskResult.objects.filter(
            task_path=assessment_run_task.module_path, args_kwargs__args__0=period.code
        )
        .order_by("-enqueued_at")
        .first()
    )
    if task is None:
        return None
    label = period.label
    if task.status == TaskResultStatus.READY:
        return ComputeStatus(period, True, False, _("%(period)s的得分已排队等待计算……") % {"period": label})
    if task.status == TaskResultStatus.RUNNING:
        return ComputeStatus(period, True, False, _("%(period)s的得分正在计算……") % {"period": label})
    now = now or timezone.now()
    if task.finished_at is None or now - task.finished_at > RESULT_SHOWN:
        return None
    if task.status == TaskResultStatus.FAILED:
        # The reaper writes a dead worker's reason in place of a traceback; other failures are ours.
        reason = task.traceback if task.exception_class_path.endswith(".WorkerLost") else ""
        reason = reason or _("计算时出现内部错误。请联系系统管理员。")
        return ComputeStatus(
            period, False, True, _("%(period)s的得分未能计算：") % {"period": label} + reason
        )
    value = task.return_value or {}
    if value.get("refused"):
        return ComputeStatus(
            period, False, True, _("%(period)s的得分未能计算：") % {"period": label} + value["refused"]
        )
    if not (value.get("created") or value.get("changed") or value.get("removed")):
        return ComputeStatus(
            period, False, False, _("%(period)s已重新计算，得分没有变化。") % {"period": label}
        )
    return ComputeStatus(
        period,
        False,
        False,
        _("%(period)s已计算：新增 %(c)s 个得分，变化 %(u)s 个。")
        % {"period": label, "c": value.get("created", 0), "u": value.get("changed", 0)},
    )
