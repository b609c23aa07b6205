"""The task worker (`manage.py db_worker`, django-tasks-db's, run by ops.management.commands.db_worker):
its heartbeat, and the reaper that settles the tasks of workers that died.

Every worker beats as Heartbeat "worker:<its id>" (the id django-tasks-db records on each task it
claims): on start, after each task, and every KP_WORKER_BEAT_SECONDS from a thread while a task runs. A
worker is dead when its process is gone (a heartbeat from this machine: the pid is checked, so a worker
killed a second ago is reaped at once) or its heartbeat is older than KP_WORKER_DEAD_AFTER (another
machine). On SQLite a long apply holds the write lock and the beat waits; the pid check covers that, since
SQLite's workers share its machine. The reaper runs when a worker starts and every minute in the scheduler
loop (and as `manage.py reap_tasks`)."""

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from keyprojects.lib import background, scheduler
from keyprojects.ops.models import Heartbeat
from keyprojects.plans.imports.jobs import import_jobs_orphaned_fail

log = logging.getLogger(__name__)

PREFIX = "worker:"
# What a reaped task's record says failed it (the ops page shows it with the reason).
LOST = "keyprojects.ops.worker.WorkerLost"
# A live pid whose heartbeat is this much older than the limit is another process that took the number.
PID_TRUST = 30


def heartbeat_name(worker_id: str) -> str:
    return PREFIX + worker_id[: 50 - len(PREFIX)]


def worker_beat(worker_id: str) -> None:
    try:
        scheduler.heartbeat.send(name=heartbeat_name(worker_id))
    except Exception as exc:  # on SQLite a long apply holds the write lock: the next beat will do
        log.warning("worker %s: heartbeat not written (%s)", worker_id, exc)


class Worker(db_worker.Worker):
    """django-tasks-db's worker loop, beating and reaping (see the module's docstring)."""

    beat_in_background = True

    def run(self) -> None:
        worker_beat(self.worker_id)
        _reap_logged()
        stop = threading.Event()
        beating = None
        if self.beat_in_background:
            beating = threading.Thread(target=_beat_until, args=(self.worker_id, stop), daemon=True)
            beating.start()
        try:
            super().run()
        finally:
            stop.set()
            if beating is not None:
                beating.join(timeout=5)
            # A worker that stops cleanly leaves no heartbeat behind to go stale.
            try:
                Heartbeat.objects.filter(name=heartbeat_name(self.worker_id)).delete()
            except Exception:
                log.warning("worker %s: heartbeat not removed", self.worker_id, exc_info=True)

    def run_task(self, db_task_result) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            worker_beat(self.worker_id)


def _beat_until(worker_id: str, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.KP_WORKER_BEAT_SECONDS):
            close_old_connections()
            worker_beat(worker_id)
    finally:
        connections.close_all()  # this thread's own


def work(*, batch: bool = True, worker_id: str = "in-process", queue_names=("default",)) -> None:
    """Run the worker loop here (tests, scripts): with BATCH until the queue is empty."""
    worker = Worker(
        queue_names=list(queue_names),
        interval=0,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.beat_in_background = False
    worker.run()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # killed but not yet waited for by its parent: as dead as it gets
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def worker_alive(beat: Heartbeat | None, *, now: dt.datetime) -> bool:
    """Whether the worker whose heartbeat is BEAT still runs."""
    if beat is None:
        return False
    age = (now - beat.beat_at).total_seconds()
    host, _sep, pid = beat.host.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _process_gone(int(pid)) and age <= settings.KP_WORKER_DEAD_AFTER * PID_TRUST
    return age <= settings.KP_WORKER_DEAD_AFTER


@dataclass
class Reaped:
    task_id: str
    task_path: str
    requeued: bool


def tasks_reap(*, now: dt.datetime | None = None) -> list[Reaped]:
    """Settle every running task whose worker is dead: queue an idempotent one again (up to
    background.MAX_ATTEMPTS claims), fail the others with the reason and call their task's `abandoned`
    handler; then forget the dead workers' heartbeats, and fail the import jobs that no task will finish
    (plans.imports.jobs.import_jobs_orphaned_fail). Running it twice, or on two servers, settles each
    task once (each change is a conditional UPDATE)."""
    now = now or timezone.now()
    beats = {beat.name: beat for beat in Heartbeat.objects.filter(name__startswith=PREFIX)}
    reaped = []
    for result in DBTaskResult.objects.running():
        worker = result.worker_ids[-1] if result.worker_ids else ""
        beat = beats.get(heartbeat_name(worker))
        if worker_alive(beat, now=now):
            continue
        try:
            done = _settle(result, beat, now=now)
        except Exception:  # one task that cannot be settled never stops the others
            log.exception("task %s of a dead worker could not be settled", result.pk)
            continue
        if done:
            reaped.append(done)
    for beat in beats.values():
        if not worker_alive(beat, now=now):
            Heartbeat.objects.filter(pk=beat.pk, beat_at=beat.beat_at).delete()
    import_jobs_orphaned_fail(now=now)
    return reaped


def _settle(result: DBTaskResult, beat: Heartbeat | None, *, now: dt.datetime) -> Reaped | None:
    path = result.task_path
    try:
        import_string(path)  # its module declares what to do with a run cut short
    except ImportError:
        pass
    claimed = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )
    if background.reruns(path) and len(result.worker_ids) < background.MAX_ATTEMPTS:
        if claimed.update(status=TaskResultStatus.READY, started_at=None):
            log.warning("task %s (%s): its worker died; queued again", result.pk, path)
            return Reaped(str(result.pk), path, requeued=True)
        return None
    worker = result.worker_ids[-1] if result.worker_ids else "?"
    seen = timezone.localtime(beat.beat_at).strftime("%Y-%m-%d %H:%M:%S") if beat else _("无")
    reason = _("运行该任务的后台进程 %(worker)s 已停止（最近心跳：%(seen)s），任务未完成。") % {
        "worker": worker,
        "seen": seen,
    }
    # The task and its app's record fail together: a handler that raises leaves both for the next pass.
    with transaction.atomic():
        if not claimed.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=LOST,
            traceback=reason,
        ):
            return None
        handler = background.abandoned_handler(path)
        if handler is not None:
            args = result.args_kwargs or {}
            handler(*args.get("args", []), message=reason, **args.get("kwargs", {}))
    log.warning("task %s (%s): its worker died; failed", result.pk, path)
    return Reaped(str(result.pk), path, requeued=False)


def _reap_logged() -> None:
    try:
        tasks_reap()
    except Exception:
        log.exception("reaping dead workers' tasks failed")
