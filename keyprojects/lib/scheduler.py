"""The scheduler loop (`manage.py run_scheduler`) the one-command start runs beside the web server.

Each tick it claims every due job's run for this interval in the database (keyprojects.ops keeps a row
per job whose next_run_at a conditional UPDATE moves on), so however many servers run the loop, a job
runs once per interval; the claimant queues the job as a task (run_command) for `manage.py db_worker`.
Cron or a systemd timer may run the same management commands instead; every job is idempotent, so
running one twice, or late, changes nothing.
"""

import datetime as dt
import logging
import time

from django.core.management import call_command
from django.utils import timezone

from keyprojects.lib.background import background_task, waiting
from keyprojects.lib.hooks import Hook

log = logging.getLogger(__name__)

# A process doing background work says it is alive (name="scheduler", "worker:<id>") and how each job
# went (name, started_at, finished_at, error); keyprojects.ops keeps both for /readyz and its status page.
heartbeat = Hook("heartbeat")
job_ran = Hook("job_ran")
# job_claim(name, every, now) -> bool: whether this loop won job NAME's run due at NOW (every receiver
# must agree; with none, every due tick runs it).
job_claim = Hook("job_claim")

# (management command, seconds between runs).
JOBS: list[tuple[str, int]] = [
    ("clearsessions", 24 * 3600),
    ("lock_months", 3600),
    ("deliver_notifications", 60),
    ("escalate_problems", 3600),
    ("escalate_letters", 3600),
    # Reminders read the lights, so they run after the recompute.
    ("recompute_warnings", 3600),
    ("send_reminders", 3600),
    # Backs up once a night (KP_BACKUP_HOUR); checking hourly catches up after the loop was down.
    ("nightly_backup", 3600),
    # Fails, or queues again, the tasks of workers that died (keyprojects.ops).
    ("reap_tasks", 60),
    # Forgets finished tasks after 14 days (django-tasks-db's).
    ("prune_db_task_results", 24 * 3600),
    # Deletes the worker's large export files after 7 days (keyprojects.projects).
    ("prune_exports", 24 * 3600),
    # The lights of projects that monthly reports changed, off the request path (keyprojects.alerts).
    ("refresh_dirty_warnings", 60),
]
# Jobs the loop runs itself rather than queueing: a dead worker's tasks cannot wait for a worker.
IN_LOOP = {"reap_tasks"}


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Claim every job due at NOW and queue it for the worker (IN_LOOP ones run here); return their names."""
    now = now or timezone.now()
    _send(heartbeat, name="scheduler")
    due = []
    for name, every in JOBS:
        try:
            claimed = all(job_claim.send(name=name, every=every, now=now))
        except Exception:
            log.exception("scheduled job %s could not be claimed; trying again next tick", name)
            continue
        if not claimed:
            continue
        if name in IN_LOOP:
            command_run(name, reraise=False)
            _send(heartbeat, name="scheduler")
        else:
            try:
                # A worker that is away must not come back to a pile of the same job.
                if not waiting(run_command, name):
                    run_command.enqueue(name)
            except Exception:
                log.exception("scheduled job %s could not be queued; it runs next interval", name)
                continue
        due.append(name)
    return due


def command_run(name: str, *args: str, reraise: bool = True) -> None:
    """Run management command NAME (with ARGS) as a scheduled job, recording how it went."""
    started, error = timezone.now(), ""
    try:
        call_command(name, *args)
    except Exception as exc:
        log.exception("scheduled job %s failed; it will run again next interval", name)
        error = f"{type(exc).__name__}: {exc}"
        if reraise:
            raise
    finally:
        _send(job_ran, name=name, started_at=started, finished_at=timezone.now(), error=error)


# Scheduled jobs are idempotent: one whose worker died is simply run again.
@background_task(idempotent=True)
def run_command(name: str, *args: str) -> None:
    """The task the loop queues: run scheduled job NAME in the worker (it fails when the job does).
    Any idempotent command may be queued alike, e.g. run_command.enqueue("assess", "--period", "2027-03")."""
    command_run(name, *args)


def _send(hook: Hook, **kwargs) -> None:
    # Keeping records must never stop the jobs (the database may be away for a moment).
    try:
        hook.send(**kwargs)
    except Exception:
        log.exception("scheduler hook %s failed", hook.name)


def run_forever(tick_seconds: int = 30):
    while True:
        run_due_jobs()
        time.sleep(tick_seconds)
