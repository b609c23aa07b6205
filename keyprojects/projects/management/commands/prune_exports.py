from django.core.management.base import BaseCommand

from keyprojects.projects.tasks import exports_prune


class Command(BaseCommand):
    help = "Delete the files of large exports written by the worker more than 7 days ago (daily). Idempotent."

    def handle(self, *args, **options):
        removed = exports_prune()
        if options["verbosity"] >= 1 and removed:
            self.stdout.write(f"已删除 {removed} 个过期的导出文件。")
