"""The demo city's land ledger (called by keyprojects/demo/loader.py after the annual lists and reports).

About 60 projects in preparation or under construction get a land task (the district leads), and each
month of the year up to the last month before the demo's TODAY a cumulative progress row (in January,
each month of last year). Most move steadily; about one in five stalls part-way, so the ledger has
lagging work to show. Deterministic and bulk.
"""

import datetime as dt
import random
from decimal import Decimal

from keyprojects.land.models import LandProgress, LandTask
from keyprojects.lib.dates import previous_month
from keyprojects.orgs.models import User
from keyprojects.projects.models import Project, Stage


def _q(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def load_land_demo(*, seed=2026, today: dt.date, stdout=None) -> dict:
    rng = random.Random(seed + 6)
    # The last month reported: the one before today's.
    year, last_month = previous_month(today)
    candidates = list(
        Project.objects.filter(stage__in=[Stage.PRELIMINARY, Stage.CONSTRUCTION], district__isnull=False)
        .order_by("id")
        .values_list("id", "district_id")
    )
    if not candidates:
        return {"land_tasks": 0, "land_progress": 0}
    chosen = sorted(rng.sample(candidates, min(60, len(candidates))))
    reporters = dict(
        User.objects.filter(role=User.Role.DISTRICT, is_active=True)
        .order_by("organisation_id", "id")
        .values_list("organisation_id", "id")
    )
    office = (
        User.objects.filter(role=User.Role.OFFICE_STAFF).order_by("id").values_list("id", flat=True).first()
    )
    tasks, plans = [], []
    for project_id, district_id in chosen:
        land = _q(rng.choice([20, 35, 48, 60, 85, 120, 150, 260, 400]) + rng.randint(0, 99) / 100)
        households = rng.choice([0, 0, 12, 25, 40, 68, 120, 210])
        area = _q(households * rng.randint(90, 160))
        start = dt.date(rng.choice([year - 1, year]), rng.randint(1, 12), 1)
        if start > dt.date(year, min(6, last_month), 1):  # begun by the last month reported
            start = (
                dt.date(year, rng.randint(1, 6), 1)
                if last_month >= 6
                else dt.date(year - 1, rng.randint(1, 12), 1)
            )
        target = start + dt.timedelta(days=rng.randint(420, 900))
        tasks.append(
            LandTask(
                project_id=project_id,
                responsible_unit_id=district_id,
                land_to_acquire=land,
                households_to_relocate=households,
                area_to_demolish=area,
                land_to_hand_over=_q(land * Decimal("0.9")),
                start_date=start,
                target_date=target,
                note="",
            )
        )
        # The share of the work done by October, and the month it stalls (if it does).
        pace = rng.uniform(0.8, 1.3)
        stall = rng.randint(3, 8) if rng.random() < 0.2 else None
        plans.append((pace, stall, reporters.get(district_id) or office))
    LandTask.objects.bulk_create(tasks)
    rows = []
    for task, (pace, stall, reporter) in zip(tasks, plans, strict=True):
        if reporter is None:
            continue
        first = 1 if task.start_date.year < year else task.start_date.month
        span = max((task.target_date - task.start_date).days, 1)
        for month in range(first, last_month + 1):
            effective = min(month, stall) if stall else month
            elapsed = (dt.date(year, effective, 28) - task.start_date).days
            share = Decimal(str(min(1.0, max(0.0, pace * elapsed / span))))
            rows.append(
                LandProgress(
                    land_task=task,
                    year=year,
                    month=month,
                    land_acquired=_q(task.land_to_acquire * share),
                    households_signed=int(task.households_to_relocate * share),
                    area_demolished=_q(task.area_to_demolish * share * Decimal("0.95")),
                    land_handed_over=_q(task.land_to_hand_over * share * Decimal("0.85")),
                    reported_by_id=reporter,
                )
            )
    LandProgress.objects.bulk_create(rows, batch_size=2000)
    if stdout is not None:
        stdout.write(f"征地拆迁台账：{len(tasks)} 个项目，{len(rows)} 条月度进展\n")
    return {"land_tasks": len(tasks), "land_progress": len(rows)}
