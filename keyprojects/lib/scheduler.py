"""The small scheduler loop the one-command start runs beside the web server.

In production cron or a systemd timer runs the same management commands; every job is idempotent,
so running one twice, or late, changes nothing.
"""

import logging
import time

from django.core.management import call_command

log = logging.getLogger(__name__)

# (management command, seconds between runs).
JOBS: list[tuple[str, int]] = [
    ("clearsessions", 24 * 3600),
    ("lock_months", 3600),
    ("deliver_notifications", 60),
    ("escalate_problems", 3600),
    # Reminders read the lights, so they run after the recompute.
    ("recompute_warnings", 3600),
    ("send_reminders", 3600),
]


def run_due_jobs(last_run: dict[str, float], now: float) -> list[str]:
    """Run every job whose interval has passed since LAST_RUN; return the names that ran."""
    ran = []
    for name, every in JOBS:
        if now - last_run.get(name, 0) >= every:
            try:
                call_command(name)
            except Exception:
                log.exception("scheduled job %s failed; it will run again next interval", name)
            last_run[name] = now
            ran.append(name)
    return ran


def run_forever(tick_seconds: int = 30):
    last_run: dict[str, float] = {}
    while True:
        run_due_jobs(last_run, time.time())
        time.sleep(tick_seconds)
