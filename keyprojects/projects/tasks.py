"""Large project-list exports in the worker: above KP_EXPORT_SYNC_ROWS rows the request queues
project_export_task, which writes the .xlsx to default_storage under exports/<user id>/ and publishes its
progress in a progress file (lib.background); the export's page polls it, then offers the download to
the user who asked (access.get_export_for_user). Smaller lists are written inside the request."""

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyprojects.lib.background import background_task, progress_clear, progress_read, progress_write
from keyprojects.orgs.models import User
from keyprojects.projects import exports, selectors
from keyprojects.projects.forms import ProjectFilterForm

EXPORT_DIR = "exports"
# The worker's record of a task (with the download's path) is pruned after 14 days; the file goes sooner.
KEEP = dt.timedelta(days=7)


def _sync_rows() -> int:
    # Up to this many rows the workbook is written inside the request (a few seconds).
    return getattr(settings, "KP_EXPORT_SYNC_ROWS", 5000)


def export_projects(*, user, query: QueryDict):
    """The projects USER exports with the list's filters QUERY: exactly the rows of the filtered list."""
    form = ProjectFilterForm(query or None, user=user)
    return selectors.project_list(user=user, filters=form.cleaned_filters())


def export_is_small(projects) -> bool:
    return projects.count() <= _sync_rows()


def project_export_queue(*, by, query: QueryDict) -> str:
    """Queue the export of BY's list with the filters QUERY; return its task's id, which names it."""
    return project_export_task.enqueue(by.pk, query.urlencode(), translation.get_language()).id


def _progress_key(task_id) -> str:
    return f"export-{task_id}"


def export_path(user_id: int, task_id) -> str:
    return f"{EXPORT_DIR}/{user_id}/{task_id}.xlsx"


# Writing the file again gives the same file: a run cut short runs again.
@background_task(idempotent=True, takes_context=True)
def project_export_task(context, user_id: int, query: str, language: str) -> dict:
    """Write the export to default_storage; its result says where, under which name, and how many rows."""
    task_id = context.task_result.id
    user = User.objects.get(pk=user_id)
    key = _progress_key(task_id)
    with translation.override(language):
        projects = export_projects(user=user, query=QueryDict(query))
        total = projects.count()
        progress_write(key, 0, total)
        workbook = exports.project_list_workbook(
            projects, progress=lambda done: progress_write(key, done, total)
        )
        buffer = io.BytesIO()
        workbook.save(buffer)
        filename = exports.project_list_filename()
    path = export_path(user_id, task_id)
    default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(buffer.getvalue()))
    progress_clear(key)
    return {"path": saved, "filename": filename, "rows": total}


@dataclass
class ExportState:
    pending: bool
    ready: bool
    percent: int | None = None
    rows: int | None = None
    message: str = ""


def export_state(task: DBTaskResult) -> ExportState:
    """Where export TASK stands: queued, writing (with its percent), ready, or failed with the reason."""
    if task.status == TaskResultStatus.READY:
        return ExportState(pending=True, ready=False, message=_("排队等待导出……"))
    if task.status == TaskResultStatus.RUNNING:
        found = progress_read(_progress_key(task.pk))
        if found is None:
            return ExportState(pending=True, ready=False, message=_("正在导出……"))
        done, total = found
        percent = min(100, done * 100 // max(total, 1))
        return ExportState(pending=True, ready=False, percent=percent, rows=done, message=_("正在导出……"))
    value = task.return_value or {}
    if task.status == TaskResultStatus.SUCCESSFUL and value.get("path"):
        return ExportState(pending=False, ready=True, percent=100, rows=value.get("rows"))
    # The reaper writes a dead worker's reason in place of a traceback; other failures are ours.
    reason = task.traceback if task.exception_class_path.endswith(".WorkerLost") else ""
    return ExportState(
        pending=False,
        ready=False,
        message=_("导出未完成：") + (reason or _("导出时出现内部错误。请联系系统管理员。")),
    )


def exports_prune(*, now: dt.datetime | None = None) -> int:
    """Delete export files written more than KEEP ago (the scheduled prune_exports); return how many."""
    cutoff = (now or timezone.now()) - KEEP
    try:
        users, _files = default_storage.listdir(EXPORT_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for user_dir in users:
        folder = f"{EXPORT_DIR}/{user_dir}"
        for name in default_storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
