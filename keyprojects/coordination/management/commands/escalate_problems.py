import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from keyprojects.coordination.services import problems_escalate_due


class Command(BaseCommand):
    help = (
        "Move every problem in hand whose level's time limit (working days) has passed up exactly one "
        "level, the new level's clock starting today, and notify the new level. Idempotent: a second run "
        "on the same day changes nothing. A problem that cannot be handled is logged, counted and left "
        "for the next run; the command fails only when every due problem failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="run as of this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        result = problems_escalate_due(today=options.get("today"))
        today, escalated, failed = result["today"], result["escalated"], result["failed"]
        if escalated:
            levels = "，".join(f"第{lv}级 {n} 个" for lv, n in sorted(result["levels"].items()))
            self.stdout.write(f"{today}：{escalated} 个问题超时自动提级一级（{levels}）。")
        elif not failed:
            self.stdout.write(f"{today}：没有需要提级的问题。")
        if failed:
            message = f"{today}：{failed} 个问题未能提级，已记入日志，下次运行时重试。"
            if not escalated:  # everything due failed: the run itself failed
                raise CommandError(message)
            self.stdout.write(message)
