from django.core.management.base import BaseCommand

from keyprojects.alerts.services import warnings_refresh_dirty


class Command(BaseCommand):
    help = (
        "Recompute the warnings of the projects whose lights monthly reports have made out of date "
        "(预警中心, every minute): once per project however many reports came in. Idempotent."
    )

    def handle(self, *args, **options):
        counts = warnings_refresh_dirty()
        if options["verbosity"] >= 1 and (counts["projects"] or counts["failed"]):
            self.stdout.write(
                "已刷新 {projects} 个项目的预警：新增 {created} 条，等级变化 {changed} 条，"
                "恢复绿灯 {green} 条；失败 {failed} 个。".format(**counts)
            )
