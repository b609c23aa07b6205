from django.core.management.base import BaseCommand

from keyprojects.ops.worker import tasks_reap


class Command(BaseCommand):
    help = (
        "Settle the tasks of background workers that died: queue idempotent ones again, fail the others "
        "with the reason (an import job then fails: nothing was written). Idempotent; the scheduler runs "
        "it every minute and each worker when it starts."
    )

    def handle(self, *args, **options):
        reaped = tasks_reap()
        for r in reaped:
            self.stdout.write(f"{r.task_id} {r.task_path} {'requeued' if r.requeued else 'failed'}")
