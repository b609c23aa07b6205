#!/usr/bin/env python
"""Benchmark: the land ledger (征地拆迁台账) against one hand-written SQL pass over the same rows.

Run on demand (`.venv/bin/python bench/land_ledger.py [--tasks 5000] [--database-url …]`); not part of
the test suite. Builds a throw-away database (bench/project_list.py's helpers: a temporary SQLite file
by default, or a PostgreSQL database whose name contains 'bench', created and dropped), fills it with
bulk inserts — TASKS projects, each with a land task and twelve monthly cumulative progress rows — then
times, interleaved, medians over N runs after warm-ups:

  page      GET /land/ as office staff through Django's test Client (the whole ledger is computed —
            completion, lag — then the first page of 50 rows is rendered with the chart data);
  lagging   GET /land/?lagging=1;
  selector  keyprojects.land.selectors.land_ledger alone (its one query and the per-row figures);
  raw SQL   one query: each task's latest month by ROW_NUMBER() joined to the task, with the four
            completion rates computed in SQL.

It checks that the raw SQL and the selector agree on the number of rows and on the sum of the latest
land acquired, so that the baseline is honest.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import project_list as base  # noqa: E402
from _harness import Row, emit, interleave, paired  # noqa: E402

DISTRICTS = 15
RAW_SQL = """
SELECT t.id, t.land_to_acquire, p.land_acquired,
       CASE WHEN t.land_to_acquire > 0 THEN p.land_acquired * 100.0 / t.land_to_acquire END,
       CASE WHEN t.households_to_relocate > 0 THEN p.households_signed * 100.0 / t.households_to_relocate END,
       CASE WHEN t.area_to_demolish > 0 THEN p.area_demolished * 100.0 / t.area_to_demolish END,
       CASE WHEN t.land_to_hand_over > 0 THEN p.land_handed_over * 100.0 / t.land_to_hand_over END
FROM land_landtask t
JOIN projects_project pr ON pr.id = t.project_id
LEFT JOIN (
    SELECT lp.*, ROW_NUMBER() OVER (PARTITION BY lp.land_task_id ORDER BY lp.year DESC, lp.month DESC) AS rn
    FROM land_landprogress lp
) p ON p.land_task_id = t.id AND p.rn = 1
ORDER BY pr.district_id, pr.name, t.id
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="as bench/project_list.py (the name must contain 'bench')")
    parser.add_argument("--tasks", type=int, default=5_000, help="land tasks (default 5000)")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per case (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per case first (default 2)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args()


def build(n: int):
    import datetime as dt
    import random
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from keyprojects.land.models import LandProgress, LandTask
    from keyprojects.orgs.models import Organisation, User
    from keyprojects.projects.models import Project, Sector

    rng = random.Random(5)
    Kind = Organisation.Kind
    with transaction.atomic():
        office = Organisation.objects.create(kind=Kind.OFFICE, name="基准市重点项目建设办公室")
        districts = Organisation.objects.bulk_create(
            [Organisation(kind=Kind.DISTRICT, name=f"第{i + 1:02d}区", sort=i) for i in range(DISTRICTS)]
        )
        owner = Organisation.objects.create(kind=Kind.OWNER, name="基准业主有限公司")
        sector = Sector.objects.get_or_create(name="基础设施")[0]  # seeded by the migrations
        staff = User.objects.create(
            username="staff", role=User.Role.OFFICE_STAFF, organisation=office, password=make_password(None)
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    name=f"基准项目{i:05d}",
                    owner=owner,
                    district=districts[i % DISTRICTS],
                    sector=sector,
                    total_investment=100_000_000,
                    start_year=2025,
                    end_year=2027,
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        tasks = LandTask.objects.bulk_create(
            [
                LandTask(
                    project=p,
                    responsible_unit_id=p.district_id,
                    land_to_acquire=Decimal(rng.randint(20, 400)),
                    households_to_relocate=rng.randint(0, 200),
                    area_to_demolish=Decimal(rng.randint(0, 20000)),
                    land_to_hand_over=Decimal(rng.randint(10, 300)),
                    start_date=dt.date(2026, 1, 1),
                    target_date=dt.date(2027, rng.randint(1, 12), 1),
                )
                for p in projects
            ],
            batch_size=2000,
        )
        rows = []
        for t in tasks:
            pace = rng.uniform(0.3, 1.0)
            for month in range(1, 13):
                share = Decimal(str(round(min(1.0, pace * month / 12), 4)))
                rows.append(
                    LandProgress(
                        land_task=t,
                        year=2026,
                        month=month,
                        land_acquired=(t.land_to_acquire * share).quantize(Decimal("0.01")),
                        households_signed=int(t.households_to_relocate * share),
                        area_demolished=(t.area_to_demolish * share).quantize(Decimal("0.01")),
                        land_handed_over=(t.land_to_hand_over * share).quantize(Decimal("0.01")),
                        reported_by=staff,
                    )
                )
        LandProgress.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def main():
    args = parse_args()
    url, tmp = base.prepare_database(args)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from keyprojects.land.selectors import land_ledger
    from keyprojects.orgs.models import User

    try:
        if not args.reuse:
            start = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter()
            rows = build(args.tasks)
            print(
                f"setup     migrate {migrated - start:.1f} s · build {args.tasks:,} land tasks, "
                f"{rows:,} progress rows {time.perf_counter() - migrated:.1f} s"
            )
        base.describe(connection)
        staff = User.objects.get(username="staff")
        client = Client()
        client.force_login(staff)
        today = dt.date(2026, 11, 16)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL)
                return cursor.fetchall()

        ledger = land_ledger(user=staff, today=today)
        raw_rows = raw()
        assert len(ledger) == len(raw_rows) == args.tasks
        assert sum(Decimal(r.done["land_acquired"]) for r in ledger) == sum(
            Decimal(str(r[2])) for r in raw_rows
        )

        cases = {
            "page /land/": lambda: client.get("/land/"),
            "page /land/?lagging=1": lambda: client.get("/land/?lagging=1"),
            "selector land_ledger": lambda: land_ledger(user=staff, today=today),
            "raw SQL (one pass)": raw,
        }
        queries = {}
        for name, fn in cases.items():
            with CaptureQueriesContext(connection) as q:
                fn()
            queries[name] = len(q.captured_queries)

        def check(results):
            rows = results["selector land_ledger"]
            assert len(rows) == len(results["raw SQL (one pass)"]), "the selector and the raw SQL differ"
            acquired = sum(Decimal(r.done["land_acquired"]) for r in rows)
            assert acquired == sum(Decimal(str(r[2])) for r in results["raw SQL (one pass)"])

        samples = interleave(cases, repeat=args.repeat, warmup=args.warmup, check=check)
        raw_med = statistics.median(samples["raw SQL (one pass)"])
        print(f"runs      {args.repeat} timed after {args.warmup} warm-ups; {args.tasks:,} land tasks\n")
        print(f"{'case':<26} {'median ms':>10} {'max ms':>9} {'× raw':>7} {'queries':>8}")
        for name in cases:
            med = statistics.median(samples[name])
            print(
                f"{name:<26} {med * 1000:10.1f} {max(samples[name]) * 1000:9.1f} "
                f"{med / raw_med:6.1f}× {queries[name]:8d}"
            )
        for name in ("page /land/", "selector land_ledger"):
            emit(
                Row(
                    f"land ledger {name}, {args.tasks:,} tasks / raw SQL",
                    "—",
                    None,
                    paired(samples[name], samples["raw SQL (one pass)"]),
                    f"{queries[name]} queries",
                )
            )
    finally:
        keep = args.keep or args.reuse
        base.drop_database(url, tmp, keep)
        if keep:
            print(f"\ndatabase kept: {url}")


if __name__ == "__main__":
    main()
