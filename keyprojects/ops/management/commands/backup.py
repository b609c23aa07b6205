from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from keyprojects.ops.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent snapshot: SQLite's online backup, pg_dump on PostgreSQL) and the "
        "uploaded files into one .tar.gz with a manifest and checksums; keep the newest N in the directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="where to write the archive (default KP_BACKUP_DIR, data/backups)")
        parser.add_argument("--keep", type=int, help="archives to keep there (default KP_BACKUP_KEEP, 7)")

    def handle(self, *args, dir=None, keep=None, **options):
        try:
            backup = backup_create(directory=dir, keep=keep)
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{backup.path}（{filesizeformat(backup.size)}）："
                f"数据表 {backup.tables} 个、记录 {backup.rows} 条、上传文件 {backup.files} 个；"
                f"该目录保留最近 {backup.generations} 份。"
            )
        )
