import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from keyprojects.ops.services import BackupError, archive_manifest, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this instance (an empty database: refused when it holds an office's "
        "data, unless --replace), then check every table and uploaded file against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a keyprojects-….tar.gz written by `manage.py backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="restore even over a database that holds data (it is replaced)",
        )

    def handle(self, *args, archive, yes, replace, **options):
        archive = Path(archive)
        try:
            manifest = archive_manifest(archive)
            if not yes:
                self._confirm(archive, manifest)
            restored = backup_restore(archive=archive, replace=replace)
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        except DatabaseError as exc:
            raise CommandError(f"恢复失败：无法访问数据库 {connection.settings_dict['NAME']}：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成并已校验：数据表 {restored.tables} 个（共 {restored.rows} 条记录）、"
                f"上传文件 {restored.files} 个，与备份清单一致。"
            )
        )
        if restored.unapplied:
            self.stdout.write(
                f"备份来自较早的版本：还有 {len(restored.unapplied)} 个数据库迁移未执行，"
                "请运行 python manage.py migrate。"
            )

    def _confirm(self, archive, manifest):
        if not sys.stdin.isatty():
            raise CommandError("恢复会写入本实例的数据库和上传文件：请加 --yes 确认。")
        answer = input(
            f"将把备份 {archive.name}（{manifest['created_at']}，{manifest['database']['vendor']}）"
            f"恢复到数据库 {connection.settings_dict['NAME']}。输入 yes 继续："
        )
        if answer.strip().lower() != "yes":
            raise CommandError("已取消，未做任何改动。")
