from django.core.management.base import BaseCommand, CommandError

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
        for year, month, message in result["unknown"]:
            self.stderr.write(f"{year}年{month}月未锁定：{message}")
        if result["unknown"]:
            # Cron and the scheduler log a failure: someone must enter the holidays of that year.
            raise CommandError("部分月份因节假日安排未录入而无法计算统计截止日期。")
