"""django-tasks-db's `db_worker`, with this system's heartbeat and reaper (keyprojects.ops.worker).

It replaces the package's command of the same name (ops comes before django_tasks_db in INSTALLED_APPS), so
`manage.py db_worker` as the package documents it, under systemd or `make run`, always beats and reaps."""

import os
import signal

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from keyprojects.ops.worker import Worker


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with heartbeats; reaps dead workers' tasks when it starts)"

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # The package's handle, with this module's Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        # A batch run is over in one go (tests, cron); a long-lived worker beats from a thread too.
        worker.beat_in_background = not batch
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
            return
        # Put the caller's handlers back afterwards (a batch run inside another program).
        before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)
