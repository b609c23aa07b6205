from django.core.management.base import BaseCommand

from keyprojects.plans.report_services import months_lock_due


class Command(BaseCommand):
    help = (
        "Lock every month whose statistics deadline (the Nth working day after month end) has passed. "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        result = months_lock_due()
        for lock in result["locked"]:
            self.stdout.write(f"已锁定 {lock.annual_list.year}年{lock.month}月")
        if not result["locked"]:
            self.stdout.write("没有需要锁定的月份。")
