"""Reads of the ops app: backups on disk and on record, the readiness checks, the status page's figures."""

import datetime as dt
import functools
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from keyprojects.lib.scheduler import JOBS
from keyprojects.notifications.models import OutboxMessage
from keyprojects.notifications.selectors import outbox_counts
from keyprojects.ops.models import Backup, Heartbeat, JobRun
from keyprojects.ops.worker import PREFIX as WORKER_PREFIX

log = logging.getLogger(__name__)

# The archive names services.backup_create gives: keyprojects-YYYYMMDD-HHMMSS[-N].tar.gz.
ARCHIVE_NAME = re.compile(r"^keyprojects-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$")


def backup_archives(directory: Path | str) -> list[Path]:
    """The backup archives in DIRECTORY, oldest first (an unfinished .part is none)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            found.append(((match[1], int(match[2] or 1)), path))
    return [path for _key, path in sorted(found)]


def media_names() -> list[str]:
    """Every uploaded file in the default storage, as storage names (dir/sub/file.ext)."""
    names = []

    def walk(prefix):
        dirs, files = default_storage.listdir(prefix)
        names.extend(prefix + f for f in files)
        for d in dirs:
            walk(f"{prefix}{d}/")

    if default_storage.exists(""):
        walk("")
    return sorted(names)


def backup_due(*, now: dt.datetime) -> bool:
    """Whether tonight's backup is still to make: none has succeeded since the last KP_BACKUP_HOUR o'clock
    (Beijing time) before NOW. A loop that was down at that hour makes it when it runs again."""
    local = timezone.localtime(now)
    slot = local.replace(hour=settings.KP_BACKUP_HOUR, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= dt.timedelta(days=1)
    return not Backup.objects.filter(ok=True, started_at__gte=slot).exists()


def last_backups() -> tuple[Backup | None, Backup | None]:
    """The last successful backup, and the last failed one when it came after that."""
    good = Backup.objects.filter(ok=True).first()
    failed = Backup.objects.filter(ok=False).first()
    if failed and good and failed.finished_at < good.finished_at:
        failed = None
    return good, failed


@functools.cache
def _leaf_migrations() -> tuple:
    # Read from disk once per process: the code's migrations do not change while it runs.
    return tuple(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def unapplied_migrations() -> list[str]:
    """The code's migrations the database has not applied: one query when there are none."""
    applied = set(MigrationRecorder(connection).migration_qs.values_list("app", "name"))
    if all(leaf in applied for leaf in _leaf_migrations()):
        return []
    executor = MigrationExecutor(connection)
    return [
        f"{m.app_label}.{m.name}" for m, _b in executor.migration_plan(executor.loader.graph.leaf_nodes())
    ]


def outbox_backlog(*, now: dt.datetime) -> int:
    """Messages waiting to go out whose time has come (read off the delivery job's own index)."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).count()


def readiness(*, now: dt.datetime | None = None) -> dict[str, dict]:
    """/readyz's checks, each {"ok": bool, …figures}: the database answers, every migration is applied,
    every background process's heartbeat is recent, a worker runs (or no task has waited long), the outbox
    backlog is below its limit.

    Nothing but the figures: the endpoint is public, so errors go to the log, not into the answer."""
    now = now or timezone.now()
    checks = {}
    for name, check in [
        ("database", _check_database),
        ("migrations", _check_migrations),
        ("heartbeats", _check_heartbeats),
        ("worker", _check_worker),
        ("outbox", _check_outbox),
    ]:
        try:
            checks[name] = check(now)
        except DatabaseError:
            log.exception("readiness check %s failed", name)
            checks[name] = {"ok": False}
        if name == "database" and not checks[name]["ok"]:
            break
    return checks


def _check_database(now):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _check_migrations(now):
    unapplied = unapplied_migrations()
    return {"ok": not unapplied, "unapplied": len(unapplied)}


def _check_heartbeats(now):
    limit = settings.KP_READY_HEARTBEAT_MAX_AGE
    processes = {
        beat.name: {"age_seconds": max(0, int((now - beat.beat_at).total_seconds()))}
        for beat in Heartbeat.objects.all()
    }
    for process in processes.values():
        process["ok"] = process["age_seconds"] <= limit
    # No heartbeat at all: nothing runs that beats (cron starts the jobs instead), so nothing is late.
    return {"ok": all(p["ok"] for p in processes.values()), "max_age_seconds": limit, "processes": processes}


def _check_worker(now):
    # Without a worker nothing queued ever runs; with none needed (nothing waiting) nothing is late.
    fresh = now - dt.timedelta(seconds=settings.KP_READY_HEARTBEAT_MAX_AGE)
    workers = Heartbeat.objects.filter(name__startswith=WORKER_PREFIX, beat_at__gte=fresh).count()
    due = Q(run_after=get_date_max()) | Q(run_after__lte=now)  # the far date is "no date" (the package's)
    oldest = DBTaskResult.objects.filter(due, status=TaskResultStatus.READY).aggregate(
        oldest=Min("enqueued_at")
    )["oldest"]
    waited = max(0, int((now - oldest).total_seconds())) if oldest else 0
    limit = settings.KP_READY_TASK_WAIT_MAX
    return {
        "ok": workers > 0 or waited <= limit,
        "workers": workers,
        "waited_seconds": waited,
        "max_wait_seconds": limit,
    }


def _check_outbox(now):
    backlog = outbox_backlog(now=now)
    return {
        "ok": backlog <= settings.KP_READY_OUTBOX_MAX,
        "backlog": backlog,
        "max": settings.KP_READY_OUTBOX_MAX,
    }


TASK_STATUS_LABELS = {
    TaskResultStatus.READY: _("排队中"),
    TaskResultStatus.RUNNING: _("运行中"),
    TaskResultStatus.FAILED: _("失败"),
    TaskResultStatus.SUCCESSFUL: _("已完成"),
}


def task_queue_counts() -> list[dict]:
    """The worker's tasks by status: [{"status", "label", "n"}], every status, in queue order."""
    found = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return [
        {"status": str(status), "label": label, "n": found.get(status, 0)}
        for status, label in TASK_STATUS_LABELS.items()
    ]


def task_failures(*, limit: int = 5) -> list[dict]:
    """The last failed tasks: when, which, and the last line of what failed them."""
    rows = []
    for result in DBTaskResult.objects.failed().order_by("-finished_at")[:limit]:
        lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
        rows.append(
            {
                "id": result.pk,
                "name": result.task_path.rsplit(".", 1)[-1],
                "args": (result.args_kwargs or {}).get("args", []),
                "finished_at": result.finished_at,
                "reason": lines[-1] if lines else result.exception_class_path,
            }
        )
    return rows


def job_runs() -> list[dict]:
    """Every scheduled job with its interval and its latest run (None before the first)."""
    runs = {run.name: run for run in JobRun.objects.all()}
    rows = [{"name": name, "every": every, "run": runs.pop(name, None)} for name, every in JOBS]
    # A job dropped from the schedule still shows when it last ran.
    return rows + [{"name": name, "every": None, "run": run} for name, run in sorted(runs.items())]


def ops_overview(*, now: dt.datetime) -> dict:
    """Everything the office admin's operations page shows."""
    good, failed = last_backups()
    directory = Path(settings.KP_BACKUP_DIR)
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    checks = readiness(now=now)
    return {
        "last_backup": good,
        "failed_backup": failed,
        "backup_dir": directory,
        "backup_keep": settings.KP_BACKUP_KEEP,
        "backup_hour": settings.KP_BACKUP_HOUR,
        "archives": [
            {"name": p.name, "size": p.stat().st_size} for p in reversed(backup_archives(directory))
        ],
        "checks": checks,
        "jobs": job_runs(),
        "outbox": outbox_counts(),
        "outbox_backlog": checks["outbox"]["backlog"] if "backlog" in checks.get("outbox", {}) else None,
        "outbox_oldest": pending.aggregate(oldest=Min("created_at"))["oldest"],
        "tasks": task_queue_counts(),
        "task_failures": task_failures(),
    }
