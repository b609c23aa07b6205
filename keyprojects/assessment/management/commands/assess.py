import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keyprojects.assessment.models import UnitKind
from keyprojects.assessment.periods import Period
from keyprojects.assessment.services import assessment_run


class Command(BaseCommand):
    help = (
        "Score every district, department and project for a period (考核计分): --period 2027-03, 2027Q1 or "
        "2027. Idempotent: a second run with the same records changes nothing; a published period is "
        "never recomputed. --dry-run prints the ranking without writing it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="2027-03 (month), 2027Q1 (quarter) or 2027 (year)"
        )
        parser.add_argument("--dry-run", action="store_true", help="compute and print, write nothing")
        parser.add_argument("--today", help="the day the job runs as (YYYY-MM-DD); default today")

    def handle(self, *args, period, dry_run, today, **options):
        try:
            period = Period.parse(period)
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            result = assessment_run(period=period, today=day, dry_run=dry_run)
        except ValidationError as error:
            if error.code == "published":  # the scheduled job goes on running after publication
                self.stdout.write(" ".join(error.messages))
                return
            raise CommandError(" ".join(error.messages)) from None
        for kind, rows in result.rows.items():
            self.stdout.write(f"{period.label} · {UnitKind(kind).label}")
            for row in rows[:50] if kind == UnitKind.PROJECT else rows:
                self.stdout.write(f"  {row.rank:>4}  {row.total:>7}  {row.name}")
            if kind == UnitKind.PROJECT and len(rows) > 50:
                self.stdout.write(f"  … {len(rows) - 50}")
        if dry_run:
            self.stdout.write("试算完成，未写入。")
        elif result.unchanged:
            self.stdout.write(f"{period.label}得分没有变化。")
        else:
            self.stdout.write(
                f"{period.label}得分已写入：新增 {result.created} 个，变化 {result.changed} 个，"
                f"删除 {result.removed} 个。"
            )
