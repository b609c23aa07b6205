import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from keyprojects.coordination.services import problems_escalate_due
from keyprojects.lib.workdays import CalendarYearUnknown


class Command(BaseCommand):
    help = (
        "Escalate every unresolved problem whose level's time limit (working days) has passed, one level "
        "per passed deadline, and notify the new level. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="run as of this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            result = problems_escalate_due(today=options.get("today"))
        except CalendarYearUnknown as error:
            raise CommandError(str(error)) from None
        if result["escalated"]:
            self.stdout.write(
                f"{result['today']}：{result['escalated']} 个问题超时自动提级（共 {result['steps']} 级）。"
            )
        else:
            self.stdout.write(f"{result['today']}：没有需要提级的问题。")
