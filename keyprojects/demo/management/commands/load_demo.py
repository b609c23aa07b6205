import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keyprojects.demo.loader import load_demo
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.demo import PASSWORD
from keyprojects.projects.models import Project


class Command(BaseCommand):
    help = (
        "Load the demo city (Nanning-shaped organisations, users and projects) into an empty database, "
        "built around today (or --today): last month's reports coming in, problems on the escalation "
        "ladder with running clocks, tasks falling due, a meeting coming up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=1200, help="number of projects (default 1200)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="build the city as it stands on this date (YYYY-MM-DD; default today)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing, successfully, when the database holds data"
        )

    def handle(self, *args, projects, seed, if_empty, today=None, **options):
        # Organisations and users count as data too: loading beside them would clash on names.
        existing = {
            "项目": Project.objects.count(),
            "单位": Organisation.objects.count(),
            "用户": User.objects.count(),
        }
        if any(existing.values()):
            found = "，".join(f"{label} {n} 个" for label, n in existing.items() if n)
            if if_empty:
                self.stdout.write(f"数据库已有数据（{found}），跳过演示数据加载。")
                return
            raise CommandError(f"数据库不是空的（{found}），演示数据只能加载到空数据库中。")
        if projects < 1:
            raise CommandError("--projects 至少为 1。")

        today = today or timezone.localdate()
        began = time.monotonic()
        counts = load_demo(seed=seed, projects=projects, today=today, stdout=self.stdout)
        seconds = time.monotonic() - began
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载（{today.isoformat()}，{seconds:.1f} 秒）："
                f"单位 {counts['organisations']} 个，用户 {counts['users']} 个，"
                f"项目 {counts['projects']} 个，阶段变更 {counts['stage_changes']} 条，"
                f"前期事项 {counts['prelim_items']} 项，要素需求 {counts['factor_needs']} 项。"
            )
        )
        self.stdout.write(f"演示账号 admin、staff、leader、district、department、owner，密码 {PASSWORD}。")
