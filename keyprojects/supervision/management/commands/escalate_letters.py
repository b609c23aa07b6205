import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from keyprojects.supervision.services import letters_escalate_due


class Command(BaseCommand):
    help = (
        "Move every supervision letter still waiting for its unit past its level's time limit (working "
        "days) up one level — the office, then the project's city leader — and tell them. Idempotent: a "
        "second run on the same day changes nothing. A letter that cannot be handled is logged and left "
        "for the next run; the command fails only when every due letter failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="run as of this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        result = letters_escalate_due(today=options.get("today"))
        today, escalated, failed = result["today"], result["escalated"], result["failed"]
        if escalated:
            self.stdout.write(f"{today}：{escalated} 份督办函逾期，已升级督办。")
        elif not failed:
            self.stdout.write(f"{today}：没有需要升级的督办函。")
        if failed:
            message = f"{today}：{failed} 份督办函未能升级，已记入日志，下次运行时重试。"
            if not escalated:
                raise CommandError(message)
            self.stdout.write(message)
