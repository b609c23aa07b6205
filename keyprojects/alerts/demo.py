"""The demo city's alerts (called by keyprojects/demo/loader.py after the annual lists and reports).

Completed and operating projects get production targets (投产达效) and, for most of those already
operating, monthly actuals; some projects started long ago are registered in the statistics (入统),
others not. Then every warning is computed as of the demo's TODAY, so the warning centre opens full.
Bulk inserts only; deterministic."""

import datetime as dt
import random

from django.utils import timezone

from keyprojects.alerts.models import OperatingActual, OperatingTarget
from keyprojects.alerts.services import warnings_recompute_all
from keyprojects.orgs.models import User
from keyprojects.projects.models import Project, Stage


def load_alerts_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed)
    author = User.objects.filter(role=User.Role.OFFICE_STAFF, is_active=True).order_by("pk").first()
    done = list(
        Project.objects.filter(stage__in=(Stage.COMPLETED, Stage.OPERATING), completion_date__isnull=False)
        .order_by("pk")
        .values_list("pk", "stage", "completion_date", "total_investment")
    )
    targets, actuals = [], []
    for pk, stage, completed, total in done:
        if rng.random() < 0.15:
            continue  # no target yet: the rule's default limit applies
        output = max(total // 10_000 * rng.randint(8, 20) // 1_000 * 10_000, 1_000_000)
        targets.append(
            OperatingTarget(
                project_id=pk,
                output_value=output,
                tax=output * rng.randint(3, 8) // 100,
                jobs=rng.randint(50, 800),
                months_to_produce=rng.choice((3, 6, 6, 6, 12)),
            )
        )
        if stage != Stage.OPERATING or author is None:
            continue
        month = dt.date(completed.year, completed.month, 1)
        while month < today.replace(day=1):
            share = rng.uniform(0.4, 1.2)
            actuals.append(
                OperatingActual(
                    project_id=pk,
                    year=month.year,
                    month=month.month,
                    output_value=int(output / 12 * share),
                    tax=int(output / 12 * share * 0.05),
                    jobs=rng.randint(30, 600),
                    created_by=author,
                )
            )
            month = (month + dt.timedelta(days=32)).replace(day=1)
    OperatingTarget.objects.bulk_create(targets, batch_size=1000)
    OperatingActual.objects.bulk_create(actuals, batch_size=2000)

    # 入统: projects started more than two months ago are registered, a few recent ones lag behind.
    started = list(
        Project.objects.filter(start_date__isnull=False, start_date__lte=today)
        .order_by("pk")
        .values_list("pk", "start_date")
    )
    registered = []
    for pk, start in started:
        if (today - start).days > 60 and rng.random() < (0.995 if (today - start).days > 150 else 0.8):
            registered.append(
                Project(
                    pk=pk,
                    statistics_registered=True,
                    statistics_date=start + dt.timedelta(days=rng.randint(10, 40)),
                )
            )
    for project in registered:
        project.statistics_date = min(project.statistics_date, today)
    Project.objects.bulk_update(registered, ["statistics_registered", "statistics_date"], batch_size=1000)

    now = timezone.make_aware(dt.datetime.combine(today, dt.time(8, 0)))
    counts = warnings_recompute_all(now=now)
    if stdout is not None:
        stdout.write(
            f"预警：投产达效目标 {len(targets)} 个、月度数据 {len(actuals)} 条，入统 {len(registered)} 个；"
            f"预警 {counts['created']} 条\n"
        )
    return {"targets": len(targets), "actuals": len(actuals), "registered": len(registered), **counts}
