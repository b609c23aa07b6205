"""The small scheduler loop the one-command start runs beside the web server.

In production cron or a systemd timer runs the same management commands; every job is idempotent,
so running one twice, or late, changes nothing.
"""

import logging
import time

from django.core.management import call_command
from django.utils import timezone

from keyprojects.lib.hooks import Hook

log = logging.getLogger(__name__)

# A process doing scheduled work says it is alive (name="scheduler") and how each job went (name,
# started_at, finished_at, error); keyprojects.ops keeps both for /readyz and its status page.
heartbeat = Hook("heartbeat")
job_ran = Hook("job_ran")

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
]


def run_due_jobs(last_run: dict[str, float], now: float) -> list[str]:
    """Run every job whose interval has passed since LAST_RUN; return the names that ran."""
    _send(heartbeat, name="scheduler")
    ran = []
    for name, every in JOBS:
        if now - last_run.get(name, 0) >= every:
            started, error = timezone.now(), ""
            try:
                call_command(name)
            except Exception as exc:
                log.exception("scheduled job %s failed; it will run again next interval", name)
                error = f"{type(exc).__name__}: {exc}"
            _send(job_ran, name=name, started_at=started, finished_at=timezone.now(), error=error)
            _send(heartbeat, name="scheduler")
            last_run[name] = now
            ran.append(name)
    return ran


def _send(hook: Hook, **kwargs) -> None:
    # Keeping records must never stop the jobs (the database may be away for a moment).
    try:
        hook.send(**kwargs)
    except Exception:
        log.exception("scheduler hook %s failed", hook.name)


def run_forever(tick_seconds: int = 30):
    last_run: dict[str, float] = {}
    while True:
        run_due_jobs(last_run, time.time())
        time.sleep(tick_seconds)
