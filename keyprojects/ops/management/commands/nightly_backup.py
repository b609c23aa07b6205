from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keyprojects.ops.services import BackupError, backup_if_due


class Command(BaseCommand):
    help = (
        "The scheduled backup: back up unless one has succeeded since the last KP_BACKUP_HOUR o'clock "
        "(idempotent; the scheduler runs it hourly)."
    )

    def handle(self, *args, **options):
        try:
            backup = backup_if_due(now=timezone.now())
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        if backup is None:
            self.stdout.write("今晚的备份已完成，无需再备份。")
        else:
            self.stdout.write(self.style.SUCCESS(f"备份完成：{backup.path}"))
