from django.core.management.base import BaseCommand

from keyprojects.alerts.services import warnings_recompute_all


class Command(BaseCommand):
    help = (
        "Recompute every warning of every project (预警中心). Idempotent: a second run changes nothing; "
        "a level change is written to the warning's history."
    )

    def handle(self, *args, **options):
        counts = warnings_recompute_all()
        self.stdout.write(
            "预警已重新计算：新增 {created} 条，等级变化 {changed} 条，恢复绿灯 {green} 条。".format(**counts)
        )
