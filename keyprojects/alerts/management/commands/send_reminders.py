from django.core.management.base import BaseCommand

from keyprojects.alerts.services import reminders_send


class Command(BaseCommand):
    help = (
        "Remind responsible units of tasks due in N working days or overdue, and send the office and each "
        "district their daily red-light digest, as the warning rules' switches say. Idempotent "
        "(notification keys, one digest per unit and day)."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        message = (
            "提醒已发送：任务即将到期 {task_due} 项，任务逾期 {task_overdue} 项；"
            "红灯预警日报 {warning_digests} 份，涉及预警 {warning_lights} 个。"
        )
        self.stdout.write(message.format(**sent))
