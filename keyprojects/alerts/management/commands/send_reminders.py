from django.core.management.base import BaseCommand

from keyprojects.alerts.services import reminders_send


class Command(BaseCommand):
    help = (
        "Remind responsible units of tasks due in N working days or overdue, and tell districts and the "
        "office of red warnings, as the warning rules' switches say. Idempotent (notification keys)."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        message = (
            "提醒已发送：任务即将到期 {task_due} 项，任务逾期 {task_overdue} 项，红灯预警 {warning} 条。"
        )
        self.stdout.write(message.format(**sent))
